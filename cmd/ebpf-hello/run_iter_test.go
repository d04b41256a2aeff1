package main

import (
	"encoding/json"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// TestRunTaskIterator: an iter/task program is created, read once (its
// lines are run's output, every thread of this test among them, a
// hostile thread name escaped) and run exits by itself.
func TestRunTaskIterator(t *testing.T) {
	needRun(t)
	// A thread of ours whose name would clear the terminal.
	named, done := make(chan int), make(chan struct{})
	go func() {
		runtime.LockOSThread() // the thread keeps its name: never reused
		name, _ := unix.BytePtrFromString("it\x1b[2Jx")
		if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0); err != nil {
			t.Error(err)
		}
		named <- unix.Gettid()
		<-done
	}()
	tid := <-named
	defer close(done)

	r := runCommand(t, binary(t), "run", "testdata/run/task_iter.bpf.c", "-d", "60s")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "Ctrl-C") || !strings.Contains(r.stderr, "read once") {
		t.Errorf("an iterator is read once and run ends; stderr:\n%s", r.stderr)
	}
	if strings.ContainsRune(r.stdout, 0x1b) {
		t.Errorf("a thread name reached the terminal raw")
	}
	lines := strings.Split(r.stdout, "\n")
	if f := strings.Fields(lines[0]); len(f) != 3 || f[0] != "PID" {
		t.Errorf("first line %q, want the program's header", lines[0])
	}
	want := []string{strconv.Itoa(os.Getpid()), strconv.Itoa(tid), `it\x1b[2Jx`}
	found := false
	for _, l := range lines {
		if f := strings.Fields(l); len(f) == 3 && f[0] == want[0] && f[1] == want[1] && f[2] == want[2] {
			found = true
		}
	}
	if !found {
		t.Errorf("no line %q among %d lines:\n%s", strings.Join(want, " "), len(lines), r.stdout)
	}

	// --json: one object per line.
	r = runCommand(t, binary(t), "run", "testdata/run/task_iter.bpf.c", "--json", "-d", "60s")
	var first struct{ Line string }
	if err := json.Unmarshal([]byte(strings.SplitN(r.stdout, "\n", 2)[0]), &first); r.code != 0 || err != nil || !strings.HasPrefix(first.Line, "PID") {
		t.Errorf("--json: exit %d, first line %q (%v)", r.code, strings.SplitN(r.stdout, "\n", 2)[0], err)
	}
}

// TestRunIteratorRecords: an iterator that writes binary records with
// bpf_seq_write is shown as rows of the struct it writes (read from its
// source), this test's own thread among them.
func TestRunIteratorRecords(t *testing.T) {
	needRun(t)
	r := runCommand(t, binary(t), "run", "testdata/run/task_records.bpf.c", "--json", "-d", "60s")
	if r.code != 0 || !strings.Contains(r.stderr, "records of struct task_record") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	want := struct {
		PID  int    `json:"pid"`
		TID  int    `json:"tid"`
		Comm string `json:"comm"`
	}{os.Getpid(), os.Getpid(), textsafe.Escape(strings.TrimSuffix(string(comm), "\n"))} // names are escaped in JSON too
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var got struct {
			PID  int    `json:"pid"`
			TID  int    `json:"tid"`
			Comm string `json:"comm"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if got == want {
			return
		}
	}
	t.Errorf("no record %+v among:\n%s", want, r.stdout)
}
