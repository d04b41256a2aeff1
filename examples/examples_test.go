package examples_test

// Each example and workshop solution is run for real on this kernel and its
// output checked against opens the test makes. `make examples` builds them
// (`make test` does it first).

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// example is a running example binary.
type example struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// start runs dir's binary with args and waits until it has attached.
func start(t *testing.T, dir string, args ...string) *example {
	t.Helper()
	testenv.RequireRoot(t)
	bin := filepath.Join(dir, strings.TrimLeft(filepath.Base(dir), "0123456789-"))
	if _, err := os.Stat(bin); err != nil {
		testenv.Skip(t, bin+" not built: run make examples")
	}
	e := &example{cmd: exec.Command("./"+bin, args...), done: make(chan struct{})}
	e.cmd.Stdout = lockedWriter{&e.mu, &e.stdout}
	e.cmd.Stderr = lockedWriter{&e.mu, &e.stderr}
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.cmd.Wait(); close(e.done) }()
	t.Cleanup(func() { _ = e.cmd.Process.Kill(); <-e.done })
	deadline := time.After(30 * time.Second)
	for !strings.Contains(e.errText(), "attached") {
		select {
		case <-e.done:
			t.Fatalf("%s exited before attaching: %s", bin, e.errText())
		case <-deadline:
			t.Fatalf("%s did not attach within 30s: %s", bin, e.errText())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return e
}

func (e *example) errText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stderr.String()
}

// finish stops the example (SIGINT, as Ctrl-C) unless it ended by itself,
// checks it exited cleanly, and returns its output lines.
func (e *example) finish(t *testing.T, wait time.Duration) []string {
	t.Helper()
	select {
	case <-e.done:
	case <-time.After(wait):
		_ = e.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-e.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no exit within 10s of SIGINT: %s", e.errText())
		}
	}
	if code := e.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d: %s", code, e.errText())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Split(strings.TrimRight(e.stdout.String(), "\n"), "\n")
}

// markerFile creates a file anyone may open, for the processes the test starts.
func markerFile(t *testing.T) string {
	t.Helper()
	f, err := os.CreateTemp("", "ebpf-hello-example-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.Chmod(f.Name(), 0o644)
	t.Cleanup(func() { os.Remove(f.Name()) })
	return f.Name()
}

// openAs runs argv (which opens path) and returns its pid.
func run(t *testing.T, argv ...string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", argv, err, out)
	}
	return cmd.Process.Pid
}

// drainTracePipe empties trace_pipe, so only new lines reach a printk example.
func drainTracePipe(t *testing.T) {
	t.Helper()
	root, err := tracefs.Ensure(nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tracepipe.Open(filepath.Join(root, "trace_pipe"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := r.Next(ctx)
		cancel()
		if err != nil {
			return
		}
	}
}

// keepOpening opens a file every 20 ms while the test runs.
func keepOpening(t *testing.T) {
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if f, err := os.Open("/proc/self/stat"); err == nil {
					f.Close()
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop) })
}

func TestPrintkExamples(t *testing.T) {
	for _, tt := range []struct{ dir, message string }{
		{"01-hello-printk", "Hello, World!"},
		{"solutions/1-message", "Hello, eBPF workshop!"},
	} {
		t.Run(tt.dir, func(t *testing.T) {
			testenv.RequireRoot(t)
			drainTracePipe(t)
			keepOpening(t)
			e := start(t, tt.dir, "-count", "3", "-duration", "20s")
			lines := e.finish(t, 25*time.Second)
			if len(lines) != 3 {
				t.Fatalf("got %d lines, want 3: %q", len(lines), lines)
			}
			for _, line := range lines {
				l := tracepipe.Parse(line)
				if !l.Parsed || !l.IsBPFPrintk() || l.Message != tt.message {
					t.Errorf("line %q is not a %q printk line", line, tt.message)
				}
			}
		})
	}
}

// row is one TIME(s) COMM PID [UID] FILE line.
type row struct {
	comm     string
	pid, uid int
	file     string
}

func rows(t *testing.T, lines []string, withUID bool) []row {
	t.Helper()
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "TIME(s)") {
		t.Fatalf("no TIME(s) header: %q", lines)
	}
	var out []row
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		want := 4
		if withUID {
			want = 5
		}
		if len(f) < want {
			continue // a file name with spaces, or an empty one: not ours
		}
		r := row{comm: f[1], file: f[len(f)-1]}
		r.pid, _ = strconv.Atoi(f[2])
		if withUID {
			r.uid, _ = strconv.Atoi(f[3])
		}
		out = append(out, r)
	}
	return out
}

func TestTraceOpenExamples(t *testing.T) {
	for _, dir := range []string{"02-trace-open", "03-ring-buffer"} {
		t.Run(dir, func(t *testing.T) {
			path := markerFile(t)
			e := start(t, dir, "-duration", "20s")
			pid := run(t, "cat", path)
			time.Sleep(500 * time.Millisecond)
			found := false
			for _, r := range rows(t, e.finish(t, 0), false) {
				if r.file == path {
					found = true
					if r.pid != pid || r.comm != "cat" {
						t.Errorf("open of %s by pid %d comm %q, want pid %d comm cat", path, r.pid, r.comm, pid)
					}
				}
			}
			if !found {
				t.Errorf("no row for %s", path)
			}
		})
	}
}

func TestPIDFilterSolution(t *testing.T) {
	path := markerFile(t)
	// The child waits for a line, then becomes cat: its pid is known before it opens.
	child := exec.Command("sh", "-c", `read go; exec cat "$0"`, path)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	e := start(t, "solutions/2-pid-filter", "-pid", strconv.Itoa(child.Process.Pid), "-duration", "20s")
	fmt.Fprintln(stdin, "go")
	child.Wait()
	time.Sleep(500 * time.Millisecond)
	found := false
	for _, r := range rows(t, e.finish(t, 0), false) {
		if r.pid != child.Process.Pid {
			t.Errorf("pid %d got through the filter for %d: %+v", r.pid, child.Process.Pid, r)
		}
		found = found || r.file == path
	}
	if !found {
		t.Errorf("the child's open of %s is missing", path)
	}
}

func TestUIDSolution(t *testing.T) {
	path := markerFile(t)
	e := start(t, "solutions/3-uid", "-duration", "20s")
	pid := run(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", path)
	time.Sleep(500 * time.Millisecond)
	found := false
	for _, r := range rows(t, e.finish(t, 0), true) {
		if r.file == path {
			found = true
			if r.pid != pid || r.uid != 65534 {
				t.Errorf("open of %s: pid %d uid %d, want pid %d uid 65534", path, r.pid, r.uid, pid)
			}
		}
	}
	if !found {
		t.Errorf("no row for %s", path)
	}
}

func TestCountOpensSolution(t *testing.T) {
	path := markerFile(t)
	e := start(t, "solutions/5-count-opens", "-duration", "3s", "-top", "1000")
	const opens = 25
	args := []string{"cat"}
	for i := 0; i < opens; i++ {
		args = append(args, path)
	}
	pid := run(t, args...)
	lines := e.finish(t, 15*time.Second)
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "PID") {
		t.Fatalf("no PID COMM OPENS header: %q", lines)
	}
	sc := bufio.NewScanner(strings.NewReader(strings.Join(lines[1:], "\n")))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == strconv.Itoa(pid) {
			n, _ := strconv.Atoi(f[2])
			if f[1] != "cat" || n < opens {
				t.Errorf("pid %d: comm %q, %d opens; want cat and at least %d", pid, f[1], n, opens)
			}
			return
		}
	}
	t.Errorf("pid %d (cat, %d opens) not in the counts:\n%s", pid, opens, strings.Join(lines, "\n"))
}
