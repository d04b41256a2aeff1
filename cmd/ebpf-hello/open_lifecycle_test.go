package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestOpenNoFalseLossesAtStart: a child floods opens while `open -n 1`
// starts. Opens that fired between attaching and creating the perf buffer
// used to fail in bpf_perf_event_output (no reader yet) and be reported as
// "events lost (buffer full)" although no buffer was ever full. A large
// buffer makes that window longer (more to map) and leaves the reader
// seconds of room, so a busy machine cannot cause real losses here.
func TestOpenNoFalseLossesAtStart(t *testing.T) {
	for _, buffer := range []string{"perf", "ring"} {
		t.Run(buffer, func(t *testing.T) {
			child := startOpener(t, 1<<30) // runs until the test kills it
			if _, err := io.WriteString(child.stdin, "go\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // let the flood start
			r := runBinary(t, binary(t), "open", "--buffer", buffer, "--pages", "4096", "-n", "1", "--pid", strconv.Itoa(child.pid))
			if r.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			events, lost := summary(t, r.stderr)
			if events != 1 || lost != 0 {
				t.Errorf("%d events, %d lost; want 1 event and no loss; stderr:\n%s", events, lost, r.stderr)
			}
			if strings.Contains(r.stderr, "warning") {
				t.Errorf("unexpected warning:\n%s", r.stderr)
			}
		})
	}
}

// runFIFOBlockers is a child: "path,n". It blocks n threads in open(2) of
// the FIFO path (no writer ever comes), says "ready" once it has as many
// threads, and waits to be killed. The last of them may still be on their
// way to open: the test waits for the tracer's warning that the map is full.
func runFIFOBlockers(spec string) int {
	path, count, _ := strings.Cut(spec, ",")
	n, _ := strconv.Atoi(count)
	debug.SetMaxThreads(n + 1000) // each blocked open holds an OS thread
	for i := 0; i < n; i++ {
		go func() { _, _ = unix.Open(path, unix.O_RDONLY, 0) }()
	}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return 1
		}
		if len(tasks) >= n {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Println("ready")
	select {}
}

// TestOpenNotBlindedByAFullStash: any user can fill the map of opens in
// flight with threads blocked opening a FIFO. Other opens must still be
// shown (at entry, without their result), and stderr must warn at once.
func TestOpenNotBlindedByAFullStash(t *testing.T) {
	before := ourPrograms(t)
	tr := startTracer(t, ready.Line, "open", "--json")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	blockers := exec.Command(os.Args[0])
	blockers.Env = append(os.Environ(), "EBPF_HELLO_FIFO_BLOCKERS="+fifo+",10600") // the map holds 10240
	out, err := blockers.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := blockers.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = blockers.Process.Kill(); _ = blockers.Wait() })
	if _, err := fmt.Fscanln(out, new(string)); err != nil {
		t.Fatalf("FIFO blockers did not get ready: %v", err)
	}
	// The warning comes once an open found the map full: from then on the
	// blocked threads keep it full.
	full := func(stderr string) bool {
		return strings.Contains(stderr, "warning: the map of opens in flight is full")
	}
	if err := tr.WaitFor(full, testenv.Patience); err != nil {
		t.Fatalf("no warning while running (%v); stderr:\n%s", err, tr.Stderr())
	}

	child := startOpener(t, 100)
	child.run(t)
	got := tr.collect(t, 100, testenv.Patience, func(line string) bool { return strings.Contains(line, child.path) })
	if len(got) != 100 {
		t.Errorf("%d of the child's 100 opens shown while the stash is full", len(got))
	}
	code, stderr := tr.stop(t)
	if code != 0 {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
	t.Logf("stderr:\n%s", stderr)
	assertNothingLeft(t, before)
}

// startBlockedTracer runs `open` with its stdout into a pipe nobody reads,
// as `ebpf-hello open | sleep 15` does, and floods it until writes block.
func startBlockedTracer(t *testing.T) (cmd *exec.Cmd, done chan struct{}, stderr func() string) {
	t.Helper()
	testenv.RequireRoot(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	child := startOpener(t, 20000) // ~1 MB of lines: far more than a pipe holds
	cmd = exec.Command(binary(t), "open", "--pid", strconv.Itoa(child.pid))
	cmd.Stdout = w
	var buf safeBuffer
	cmd.Stderr = &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done = make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	for deadline := time.Now().Add(testenv.Patience); !ready.In(buf.String()); {
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %s", buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	child.run(t)
	for deadline := time.Now().Add(testenv.Patience); !blockedWriting(cmd.Process.Pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never blocked writing its stdout: %s", buf.String())
		}
	}
	return cmd, done, buf.String
}

// blockedWriting reports whether a thread of pid sleeps in write(2) to its
// stdout (fd 1): the kernel's /proc/PID/task/TID/syscall gives the
// syscall's number and arguments of a task blocked in one.
func blockedWriting(pid int) bool {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if fields := strings.Fields(string(b)); err == nil && len(fields) > 1 && fields[0] == strconv.Itoa(unix.SYS_WRITE) && fields[1] == "0x1" {
			return true
		}
	}
	return false
}

// TestOpenSignalWhileStdoutBlocked: Ctrl-C must end `open` even when its
// stdout is blocked; a second Ctrl-C ends it at once. Before, only SIGKILL
// did, and the programs stayed attached.
func TestOpenSignalWhileStdoutBlocked(t *testing.T) {
	t.Run("one signal", func(t *testing.T) {
		before := ourPrograms(t)
		cmd, done, stderr := startBlockedTracer(t)
		start := time.Now()
		_ = cmd.Process.Signal(unix.SIGINT)
		select {
		case <-done:
			t.Logf("exited %s after SIGINT", time.Since(start).Round(time.Millisecond))
		case <-time.After(testenv.Patience): // a grace of 0.5 s, then the kernel's ~0.6 s to detach
			t.Fatalf("still running %s after SIGINT with stdout blocked; stderr:\n%s", testenv.Patience, stderr())
		}
		assertNothingLeft(t, before)
	})
	t.Run("two signals", func(t *testing.T) {
		cmd, done, stderr := startBlockedTracer(t)
		// One right after the other: a pause between them could outlast
		// the grace on a busy machine, and the first alone would end it.
		start := time.Now()
		_ = cmd.Process.Signal(unix.SIGINT)
		_ = cmd.Process.Signal(unix.SIGTERM)
		select {
		case <-done:
			t.Logf("exited %s after the second signal", time.Since(start).Round(time.Millisecond))
		case <-time.After(testenv.Patience): // the kernel takes ~0.6 s to detach 8 tracepoints
			t.Fatalf("still running %s after a second signal; stderr:\n%s", testenv.Patience, stderr())
		}
		if !strings.Contains(stderr(), "second signal: exiting at once") {
			t.Errorf("not ended by the second signal; stderr:\n%s", stderr())
		}
	})
}

// TestOpenNoticesClosedStdout: `open --comm nomatch | head -1` must end
// when head does, although it never writes again.
func TestOpenNoticesClosedStdout(t *testing.T) {
	testenv.RequireRoot(t)
	before := ourPrograms(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "open", "--comm", "nomatch-ehtest")
	cmd.Stdout = w
	var buf safeBuffer
	cmd.Stderr = &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	header, err := bufio.NewReader(r).ReadString('\n') // what head -1 reads
	if err != nil || !strings.HasPrefix(header, "TIME(s)") {
		t.Fatalf("header %q, %v; stderr:\n%s", header, err, buf.String())
	}
	r.Close() // head exits
	select {
	case <-done:
	case <-time.After(testenv.Patience): // it looks every 0.2 s
		t.Fatalf("still running %s after its stdout was closed; stderr:\n%s", testenv.Patience, buf.String())
	}
	assertNothingLeft(t, before)
}

// safeBuffer is a bytes.Buffer a child's stderr can be written to while the test reads it.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
