package main

// Helpers for the end-to-end tests: they run the built binary (make build)
// against the real kernel, with a child process whose opens they control.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestMain lets the test binary double as the opener child.
func TestMain(m *testing.M) {
	if spec := os.Getenv("EBPF_HELLO_OPENER"); spec != "" {
		os.Exit(runOpener(spec))
	}
	if spec := os.Getenv("EBPF_HELLO_EXECER"); spec != "" {
		os.Exit(runExecer(spec))
	}
	if spec := os.Getenv("EBPF_HELLO_FIFO_BLOCKERS"); spec != "" {
		os.Exit(runFIFOBlockers(spec))
	}
	if spec := os.Getenv("EBPF_HELLO_UDP_SENDER"); spec != "" {
		os.Exit(sendUDP(spec))
	}
	if os.Getenv("EBPF_HELLO_SECCOMP_NO_BPF") == "1" {
		os.Exit(execWithoutBPF(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// runOpener is the child: "path,count,comm". It names its thread comm,
// prints "pid tid", waits for a line on stdin, then opens path count times
// from that one thread and exits.
func runOpener(spec string) int {
	parts := strings.SplitN(spec, ",", 3)
	path, comm := parts[0], parts[2]
	count, _ := strconv.Atoi(parts[1])
	runtime.LockOSThread() // every open from one thread, whose tid we report
	name, _ := unix.BytePtrFromString(comm)
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "prctl:", err)
		return 1
	}
	fmt.Printf("%d %d\n", os.Getpid(), unix.Gettid())
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 1
	}
	for i := 0; i < count; i++ {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			return 1
		}
		unix.Close(fd)
	}
	return 0
}

// opener is a started child, waiting for go().
type opener struct {
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	pid, tid   int
	comm, path string
}

// startOpener starts a child that will open a fresh temp file count times.
func startOpener(t *testing.T, count int) *opener {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("ebpf-hello-marker-%d", time.Now().UnixNano()))
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	comm := fmt.Sprintf("ehtest%d", time.Now().UnixNano()%1e8) // unique, under 16 bytes
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("EBPF_HELLO_OPENER=%s,%d,%s", path, count, comm))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	o := &opener{cmd: cmd, stdin: stdin, comm: comm, path: path}
	if _, err := fmt.Fscan(stdout, &o.pid, &o.tid); err != nil {
		t.Fatalf("opener did not report its ids: %v", err)
	}
	return o
}

// run lets the child open its file and waits for it to finish.
func (o *opener) run(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(o.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	if err := o.cmd.Wait(); err != nil {
		t.Fatalf("opener failed: %v", err)
	}
}

// binary returns the path of the built bin/ebpf-hello.
func binary(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "bin", "ebpf-hello"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		testenv.Skip(t, "bin/ebpf-hello not built: run make build (make test does)")
	}
	return path
}

// tracer is a running ebpf-hello (ready.Process: stdout lines on Lines,
// stderr in Stderr(), Done at exit).
type tracer struct{ *ready.Process }

// startTracer runs ebpf-hello args and waits until its stderr says it is
// ready: ready.Line for the built-in commands (as a whole line), or any
// other readyText as a substring.
func startTracer(t *testing.T, readyText string, args ...string) *tracer {
	t.Helper()
	testenv.RequireRoot(t)
	p, err := ready.Start(exec.Command(binary(t), args...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Cmd.Process.Kill(); <-p.Done })
	isReady := ready.In
	if readyText != ready.Line {
		isReady = func(stderr string) bool { return strings.Contains(stderr, readyText) }
	}
	if err := p.WaitFor(isReady, testenv.Patience); err != nil {
		t.Fatalf("ebpf-hello %v: %v: %s", args, err, p.Stderr())
	}
	return &tracer{p}
}

// collect reads stdout lines until keep has accepted want of them or timeout passes.
func (tr *tracer) collect(t *testing.T, want int, timeout time.Duration, keep func(string) bool) []string {
	t.Helper()
	var got []string
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for len(got) < want {
		select {
		case line, ok := <-tr.Lines:
			if !ok {
				return got
			}
			if keep(line) {
				got = append(got, line)
			}
		case <-timer.C:
			return got
		}
	}
	return got
}

// hasWarning: stderr so far has a warning (tracer.WaitFor's condition).
func hasWarning(stderr string) bool { return strings.Contains(stderr, "warning:") }

// exited reports whether the tracer has ended: then every line it printed
// is on Lines, and collect returns as soon as they are read.
func (tr *tracer) exited() bool {
	select {
	case <-tr.Done:
		return true
	default:
		return false
	}
}

// stop sends SIGINT, as Ctrl-C does, and returns the exit code and stderr.
func (tr *tracer) stop(t *testing.T) (int, string) {
	t.Helper()
	_ = tr.Cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-tr.Done:
	case <-time.After(testenv.Patience):
		t.Fatalf("ebpf-hello did not exit within %s of SIGINT: %s", testenv.Patience, tr.Stderr())
	}
	return tr.Cmd.ProcessState.ExitCode(), tr.Stderr()
}

// wait waits for the tracer to exit by itself (--count, --duration).
func (tr *tracer) wait(t *testing.T, timeout time.Duration) (int, string) {
	t.Helper()
	select {
	case <-tr.Done:
	case <-time.After(timeout):
		t.Fatalf("ebpf-hello did not exit within %s: %s", timeout, tr.Stderr())
	}
	return tr.Cmd.ProcessState.ExitCode(), tr.Stderr()
}

// ourPrograms lists the BPF programs loaded now whose names are ebpf-hello's.
func ourPrograms(t *testing.T) map[int]string {
	t.Helper()
	out, err := exec.Command("bpftool", "-j", "prog", "show").Output()
	if err != nil {
		t.Fatalf("bpftool prog show: %v", err)
	}
	var progs []struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(out, &progs); err != nil {
		t.Fatalf("parse bpftool output: %v", err)
	}
	ours := map[int]string{}
	for _, p := range progs {
		if strings.HasPrefix(p.Name, "open_") || strings.HasPrefix(p.Name, "hello_") || strings.HasPrefix(p.Name, "exec_") || strings.HasPrefix(p.Name, "run_") {
			ours[p.ID] = p.Name
		}
	}
	return ours
}

// assertNothingLeft fails if a program of ours not in before is still
// loaded. The kernel frees a detached program after an RCU grace period:
// it may take a moment (longer on a busy machine).
func assertNothingLeft(t *testing.T, before map[int]string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(testenv.Patience); time.Now().Before(deadline); {
		left = nil
		for id, name := range ourPrograms(t) {
			if _, ok := before[id]; !ok {
				left = append(left, fmt.Sprintf("%s (id %d)", name, id))
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("BPF programs still loaded after ebpf-hello exited: %s", strings.Join(left, ", "))
}

// runCommand runs argv to completion (at most a minute) and returns what it printed.
func runCommand(t *testing.T, argv ...string) result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if err != nil && code == 0 {
		t.Fatalf("%v: %v", argv, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}
