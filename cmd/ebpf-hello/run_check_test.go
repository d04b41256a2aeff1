package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunCheck: --check loads and attaches as run would, leaves nothing
// loaded, and says how each program attached and what it needs; exit 0
// only when it would run here.
func TestRunCheck(t *testing.T) {
	testenv.RequireRoot(t)
	before := ourPrograms(t)
	r := runCommand(t, binary(t), "run", runProgram("readable_values.bpf.c"), "--check")
	if r.code != 0 {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"check: readable_values.bpf.c runs here", "  attach: open_enter: tracepoint syscalls:sys_enter_openat",
		"  needs: ring buffer (Linux 5.8), for map events: here", "  needs: bpf_probe_read_user_str (Linux 5.5)", "oldest kernel with all of it: Linux 5.8"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	assertNothingLeft(t, before)

	// A kprobe program that reads registers: runs only where kprobes do.
	r = runCommand(t, binary(t), "run", runProgram("kprobe_ring.bpf.c"), "--check", "--json")
	var report struct {
		Runs  bool
		Error string
		Needs []struct {
			What string
			Here *bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("--json: %v: %q", err, r.stdout)
	}
	kprobes := kernel.HasKprobes("/sys/kernel/tracing")
	if report.Runs != kprobes || (r.code == 0) != kprobes {
		t.Errorf("kprobes here: %v; report runs %v, exit %d, error %q", kprobes, report.Runs, r.code, report.Error)
	}
	found := false
	for _, n := range report.Needs {
		if n.What == "kprobes" && n.Here != nil && *n.Here == kprobes {
			found = true
		}
	}
	if !found {
		t.Errorf("needs %+v: kprobes, here=%v, missing", report.Needs, kprobes)
	}
	assertNothingLeft(t, before)
}
