package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// holdTracePipe starts `cat trace_pipe` (a learner's other terminal) and
// returns its pid once it has the file open; it is killed when the test ends.
func holdTracePipe(t *testing.T) int {
	t.Helper()
	root, err := tracefs.Ensure(nil)
	if err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(root, "trace_pipe")
	cmd := exec.Command("cat", pipe)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, h := range tracepipe.Holders(pipe) {
			if h.PID == cmd.Process.Pid {
				return h.PID
			}
		}
	}
	t.Fatal("cat never opened trace_pipe")
	return 0
}

// TestPrintkSaysWhoReadsTracePipe: on kernels with one trace_pipe reader
// (6.18 here) a second reader got a bare "device or resource busy"; it must
// say which process holds it. On kernels that allow several readers printk
// runs, and must still work.
func TestPrintkSaysWhoReadsTracePipe(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	pid := holdTracePipe(t)
	keepOpening(t)
	r := runBinary(t, bin, "printk", "--count", "1", "--duration", "10s", "--format", "raw")
	if r.code == 0 {
		t.Skipf("this kernel lets a second reader open trace_pipe (printk printed %q)", r.stdout)
	}
	assertOneLineError(t, r)
	if want := fmt.Sprintf("pid %d (cat)", pid); !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "one reader at a time") {
		t.Errorf("the error should name %s and say one reader at a time: %s", want, r.stderr)
	}
}

// TestDoctorWarnsWhileTracePipeIsRead: a learner's printk (or a cat) reading
// trace_pipe is no fault of the machine: doctor warns and stays ready.
func TestDoctorWarnsWhileTracePipeIsRead(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	pid := holdTracePipe(t)
	r := runBinary(t, bin, "doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json printed invalid JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 0 || !rep.Ready {
		t.Errorf("exit %d, ready %v while cat reads trace_pipe; want 0 and ready:\n%s", r.code, rep.Ready, r.stdout)
	}
	for _, c := range rep.Checks {
		if c.Name == "selftest_printk" && (c.Status != "warn" || !strings.Contains(c.Detail, fmt.Sprintf("pid %d (cat)", pid))) {
			t.Errorf("selftest_printk is %s %q, want a warning naming pid %d (cat)", c.Status, c.Detail, pid)
		}
	}
	if _, err := os.Stat("/proc/" + fmt.Sprint(pid)); err != nil {
		t.Errorf("the reader died during doctor: %v", err)
	}
}
