package main

import (
	"encoding/json"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// hostileOpens runs open(2) on names from one thread named comm; it returns
// that thread's id at once and does the opens when told to.
func hostileOpens(t *testing.T, comm string, names []string) (tid int, do func()) {
	t.Helper()
	tids := make(chan int)
	start := make(chan struct{})
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // the thread ends with the goroutine: its comm change dies with it
		defer close(done)
		name, _ := unix.BytePtrFromString(comm)
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
		tids <- unix.Gettid()
		<-start
		for _, n := range names {
			if fd, err := unix.Open(n, unix.O_RDONLY, 0); err == nil {
				unix.Close(fd)
			}
		}
	}()
	return <-tids, func() { close(start); <-done }
}

// TestOpenEscapesHostileNames: any user can make a failing open of a name
// holding a newline and a forged row, or escape sequences, from a process
// with an escape sequence for a comm; `open` must print them escaped, JSON
// must give the exact bytes back, and a name longer than the event's buffer
// must be marked as cut.
func TestOpenEscapesHostileNames(t *testing.T) {
	const comm = "\x1b]0;pwn\x07\xff"
	long := "/nonexistent-" + strings.Repeat("d/", 1960) // 3933 bytes
	names := []string{
		"/nonexistent\n0.000201234        sshd             1      /etc/shadow",
		"/nonexistent-\x1b[2J\u009b\xfe",
		long,
	}
	for _, format := range []string{"table", "json"} {
		t.Run(format, func(t *testing.T) {
			tid, do := hostileOpens(t, comm, names)
			args := []string{"open", "--tid", strconv.Itoa(tid), "--count", strconv.Itoa(len(names))}
			if format == "json" {
				args = append(args, "--json")
			}
			tr := startTracer(t, ready.Line, args...)
			do()
			lines := tr.collect(t, len(names), testenv.Patience, func(line string) bool { return !strings.HasPrefix(line, "TIME(s)") })
			code, stderr := tr.wait(t, testenv.Patience)
			if code != 0 || len(lines) != len(names) {
				t.Fatalf("exit %d, %d lines for %d opens: %q\nstderr:\n%s", code, len(lines), len(names), lines, stderr)
			}
			for i, line := range lines {
				if strings.ContainsAny(line, "\x1b\x07\u009b") || strings.ContainsRune(line, 0xfffd) {
					t.Errorf("raw control bytes reached stdout: %q", line)
				}
				if format == "table" {
					want := textsafe.Escape(names[i])
					if i == 2 {
						want = textsafe.Escape(long[:255]) + textsafe.CutMark
					}
					if !strings.Contains(line, textsafe.Escape(comm)) || !strings.HasSuffix(line, want) {
						t.Errorf("row %q\nwant comm %q and file %q", line, textsafe.Escape(comm), want)
					}
					continue
				}
				var r struct {
					Comm, File string
					FileCut    bool `json:"file_cut"`
				}
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("invalid JSON %q: %v", line, err)
				}
				gotComm, err1 := textsafe.Unescape(r.Comm)
				gotFile, err2 := textsafe.Unescape(r.File)
				wantFile, wantCut := names[i], i == 2
				if wantCut {
					wantFile = long[:255]
				}
				if err1 != nil || err2 != nil || gotComm != comm || gotFile != wantFile || r.FileCut != wantCut {
					t.Errorf("JSON %s\ngives comm %q file %q cut %v; want %q %q %v", line, gotComm, gotFile, r.FileCut, comm, wantFile, wantCut)
				}
			}
		})
	}
}

// TestPrintkSpoofedCommIsItsOwnTask: a process named like the start of a
// trace_pipe line ("x-1 [0] . 9: y") was parsed as task x, pid 1, and its
// Hello lines were hidden; it must show as itself, with its own tid.
func TestPrintkSpoofedCommIsItsOwnTask(t *testing.T) {
	const comm = "x-1 [0] . 9: y"
	names := make([]string, 20)
	for i := range names {
		names[i] = "/proc/self/stat"
	}
	tr := startTracer(t, ready.Line, "printk", "--format", "json")
	// The kernel names a line's task from its saved_cmdlines cache, and
	// shows "<...>" when the name was evicted (a busy machine): a thread
	// whose every line lost its name is tried again as a new thread. A
	// line of an earlier thread may still come late: any of them will do.
	tids := map[int]bool{}
	var got []string
	for deadline := time.Now().Add(testenv.Patience); len(got) == 0 && time.Now().Before(deadline); {
		tid, do := hostileOpens(t, comm, names)
		tids[tid] = true
		do()
		got = tr.collect(t, 1, 5*time.Second, func(line string) bool {
			var l printkLine
			return json.Unmarshal([]byte(line), &l) == nil && strings.Contains(l.Raw, comm)
		})
	}
	code, stderr := tr.stop(t)
	if len(got) != 1 {
		t.Fatalf("no Hello line from the %d threads named %q (exit %d); stderr:\n%s", len(tids), comm, code, stderr)
	}
	var l printkLine
	if err := json.Unmarshal([]byte(got[0]), &l); err != nil || l.Task != comm || !tids[l.PID] || l.Message != "Hello, World!" {
		t.Errorf("line %s\nparsed as task %q pid %d message %q, want %q, the tid of one of the threads so named %v, Hello", got[0], l.Task, l.PID, l.Message, comm, tids)
	}
}
