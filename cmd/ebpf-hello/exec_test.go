package main

import (
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
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// execRecord is one `exec --json` line.
type execRecord struct {
	PID     int      `json:"pid"`
	PPID    int      `json:"ppid"`
	Comm    string   `json:"comm"`
	Ret     int      `json:"ret"`
	File    string   `json:"file"`
	Args    []string `json:"args"`
	ArgsCut []int    `json:"args_cut"`
	Attach  string   `json:"attach"`
}

// runExecer is the child: EBPF_HELLO_EXECER holds a JSON array [comm,
// path, argv...]. It names itself comm, prints its pid, waits for a line on
// stdin, then execs path with argv (exit 3 if exec fails).
func runExecer(spec string) int {
	var v []string
	if err := json.Unmarshal([]byte(spec), &v); err != nil || len(v) < 2 {
		return 2
	}
	// PR_SET_NAME names the calling thread only: the exec below must run
	// on that thread, or a failed exec keeps another thread's name (the
	// goroutine may move while it waits for stdin).
	runtime.LockOSThread()
	name, _ := unix.BytePtrFromString(v[0])
	_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
	fmt.Printf("%d\n", os.Getpid())
	var line string
	if _, err := fmt.Scanln(&line); err != nil {
		return 2
	}
	_ = syscall.Exec(v[1], v[2:], []string{"EBPF_HELLO_EXEC_TEST=1"})
	return 3
}

// execer is a started child, waiting for run(); done gets its exit.
type execer struct {
	cmd   *exec.Cmd
	stdin io.Writer
	pid   int
	done  chan error
}

func startExecer(t *testing.T, comm, path string, argv ...string) *execer {
	t.Helper()
	spec, _ := json.Marshal(append([]string{comm, path}, argv...))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "EBPF_HELLO_EXECER="+string(spec))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e := &execer{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	if _, err := fmt.Fscan(stdout, &e.pid); err != nil {
		t.Fatalf("execer did not report its pid: %v", err)
	}
	go func() { e.done <- cmd.Wait(); close(e.done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-e.done })
	return e
}

// run lets the child exec and returns how it exited.
func (e *execer) run(t *testing.T) error {
	t.Helper()
	if _, err := io.WriteString(e.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	return <-e.done
}

// uniqueProgram is a fresh symlink to true(1), named ehx<digits> (under 16
// bytes, so it is the command name after exec).
func uniqueProgram(t *testing.T) (path, name string) {
	t.Helper()
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	name = fmt.Sprintf("ehx%d", time.Now().UnixNano()%1e10)
	path = filepath.Join(t.TempDir(), name)
	if err := os.Symlink(truePath, path); err != nil {
		t.Fatal(err)
	}
	return path, name
}

func decodeExec(t *testing.T, line string) execRecord {
	t.Helper()
	var r execRecord
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("stdout line is not JSON: %q: %v", line, err)
	}
	return r
}

// TestExecSeesTheExec: a child execs a unique program with arguments that
// need escaping and one too long to keep; exactly one event must come back
// with its pid, our pid as parent, the new command name, ret 0, the path,
// and the arguments: escaped, the long one cut and marked.
func TestExecSeesTheExec(t *testing.T) {
	path, name := uniqueProgram(t)
	long := strings.Repeat("x", 300)
	argv := []string{"argv-zero", "one", "two words", "new\nline", "esc\x1b[2J", `back\slash`, long}
	for _, format := range []string{"json", "table"} {
		t.Run(format, func(t *testing.T) {
			before := ourPrograms(t)
			child := startExecer(t, "ehx-parent", path, argv...)
			args := []string{"exec", "--pid", strconv.Itoa(child.pid), "--uid", strconv.Itoa(os.Getuid())}
			if format == "json" {
				args = append(args, "--json")
			}
			tr := startTracer(t, ready.Line, args...)
			if err := child.run(t); err != nil {
				t.Fatalf("child: %v", err)
			}
			lines := tr.collect(t, 1, testenv.Patience, func(line string) bool { return !strings.HasPrefix(line, "TIME(s)") })
			time.Sleep(100 * time.Millisecond) // anything else would arrive now
			code, stderr := tr.stop(t)
			for line := range tr.Lines {
				lines = append(lines, line)
			}
			if code != 0 {
				t.Errorf("exit code %d, want 0: %s", code, stderr)
			}
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want exactly 1:\n%s\nstderr:\n%s", len(lines), strings.Join(lines, "\n"), stderr)
			}
			if events, lost := summary(t, stderr); events != 1 || lost != 0 {
				t.Errorf("summary: %d events, %d lost; want 1, 0", events, lost)
			}
			if format == "table" {
				want := fmt.Sprintf("%s one two words new\\nline esc\\x1b[2J back\\\\slash %s%s", path, long[:255], textsafe.CutMark)
				f := strings.Fields(lines[0])
				if len(f) < 6 || f[1] != name || f[2] != strconv.Itoa(child.pid) || f[3] != strconv.Itoa(os.Getpid()) || f[4] != "0" || !strings.HasSuffix(lines[0], " "+want) {
					t.Errorf("row %q\nwant PCOMM %s PID %d PPID %d RET 0 ARGS %q", lines[0], name, child.pid, os.Getpid(), want)
				}
				return
			}
			r := decodeExec(t, lines[0])
			if r.PID != child.pid || r.PPID != os.Getpid() || r.Comm != name || r.Ret != 0 || r.File != path || r.Attach != "tracepoint" {
				t.Errorf("event %+v, want pid %d ppid %d comm %s ret 0 file %s", r, child.pid, os.Getpid(), name, path)
			}
			var got []string
			for _, a := range r.Args {
				u, err := textsafe.Unescape(a)
				if err != nil {
					t.Fatalf("argument %q: %v", a, err)
				}
				got = append(got, u)
			}
			want := append(append([]string(nil), argv[:len(argv)-1]...), long[:255])
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("args %q\nwant %q", got, want)
			}
			if len(r.ArgsCut) != 1 || r.ArgsCut[0] != len(argv)-1 {
				t.Errorf("args_cut %v, want [%d]", r.ArgsCut, len(argv)-1)
			}
			assertNothingLeft(t, before)
		})
	}
}

// TestExecFilters: --failed --comm shows the failed exec of a process with
// that name and not the successful one of another; --uid of another user
// shows nothing of ours.
func TestExecFilters(t *testing.T) {
	path, name := uniqueProgram(t)
	missing := filepath.Join(t.TempDir(), "no-such-program")
	tr := startTracer(t, ready.Line, "exec", "--json", "--failed", "--comm", name)
	ok := startExecer(t, "ehx-ok", path, name) // succeeds: its comm becomes name
	bad := startExecer(t, name, missing, "x")  // fails with ENOENT, comm stays name
	if err := ok.run(t); err != nil {
		t.Fatalf("successful child: %v", err)
	}
	if err := bad.run(t); err == nil {
		t.Fatal("the exec of a missing program succeeded")
	}
	lines := tr.collect(t, 1, testenv.Patience, func(string) bool { return true })
	time.Sleep(100 * time.Millisecond)
	_, stderr := tr.stop(t)
	for line := range tr.Lines {
		lines = append(lines, line)
	}
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want exactly the failed exec:\n%s\nstderr:\n%s", len(lines), strings.Join(lines, "\n"), stderr)
	}
	if r := decodeExec(t, lines[0]); r.PID != bad.pid || r.Ret != -2 || r.File != missing || r.Comm != name {
		t.Errorf("event %+v, want pid %d ret -2 file %s comm %s", r, bad.pid, missing, name)
	}

	tr = startTracer(t, ready.Line, "exec", "--json", "--uid", "65534", "--duration", "1s")
	other := startExecer(t, "ehx-uid", path, name)
	_ = other.run(t)
	code, stderr := tr.wait(t, testenv.Patience)
	var seen []string
	for line := range tr.Lines {
		if r := decodeExec(t, line); r.PID == other.pid {
			seen = append(seen, line)
		}
	}
	if code != 0 || len(seen) != 0 {
		t.Errorf("--uid 65534: exit %d, our root exec shown %q; stderr:\n%s", code, seen, stderr)
	}
}

// TestExecRejectsBadInput: one line on stderr, non-zero exit, no panic.
func TestExecRejectsBadInput(t *testing.T) {
	bin := binary(t)
	for _, args := range [][]string{
		{"exec", "--pid", "abc"},
		{"exec", "--pid", "-1"},
		{"exec", "--pid", "4294967297"},
		{"exec", "--uid", "4294967295"},
		{"exec", "--uid", "-2"},
		{"exec", "--pages", "3"},
		{"exec", "--count", "-1"},
		{"exec", "--attach", "kprobe"},
		{"exec", "--duration", "xyz"},
		{"exec", "stray"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			assertOneLineError(t, runBinary(t, bin, args...))
		})
	}
}

// TestExecLossesAreCounted: with a one-page buffer and the tracer stopped
// (SIGSTOP) while a shell runs 100 execs with long arguments, most events
// cannot be sent; every exec must still be printed or counted as lost, and
// a warning must say so.
func TestExecLossesAreCounted(t *testing.T) {
	path, name := uniqueProgram(t)
	tr := startTracer(t, ready.Line, "exec", "--json", "--pages", "1", "--comm", name)
	long := strings.Repeat("a", 250)
	if err := tr.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("i=0; while [ $i -lt 100 ]; do %s %s %s %s; i=$((i+1)); done", path, long, long, long)
	if out, err := exec.Command("sh", "-c", script).CombinedOutput(); err != nil {
		_ = tr.Cmd.Process.Signal(syscall.SIGCONT)
		t.Fatalf("shell: %v: %s", err, out)
	}
	if err := tr.Cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	_ = tr.WaitFor(hasWarning, testenv.Patience) // the loss check warns while it runs; checked below
	code, stderr := tr.stop(t)
	if code != 0 {
		t.Errorf("exit code %d: %s", code, stderr)
	}
	events, lost := summary(t, stderr)
	if events+lost != 100 || lost == 0 {
		t.Errorf("%d events + %d lost, want 100 with some lost:\n%s", events, lost, stderr)
	}
	if !strings.Contains(stderr, "warning:") {
		t.Errorf("no loss warning on stderr:\n%s", stderr)
	}
	t.Logf("1 page: %d events, %d lost", events, lost)
}
