package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunHidesStateMaps: in-flight start times and scratch buffers were
// printed as if they were results. They are hidden, named on stderr with
// why, and --all-maps shows them.
func TestRunHidesStateMaps(t *testing.T) {
	testenv.RequireRoot(t)
	for _, all := range []bool{false, true} {
		o := startOpener(t, 5)
		args := []string{"run", runProgram("state_maps.bpf.c"), "--set", "targ_pid=" + strconv.Itoa(o.pid)}
		if all {
			args = append(args, "--all-maps")
		}
		tr := startTracer(t, "running", args...)
		o.run(t)
		code, stderr := tr.stop(t)
		out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
		if code != 0 || !strings.Contains(out, "counts:") {
			t.Fatalf("all %v: exit %d, no counts in:\n%s\nstderr:\n%s", all, code, out, stderr)
		}
		note := "not shown, the program's state rather than results: heap (one slot of 256 bytes: a scratch buffer), start (the program deletes its entries"
		if !all && (!strings.Contains(stderr, note) || strings.Contains(out, "heap:")) {
			t.Errorf("state maps not hidden or not named; stdout:\n%s\nstderr:\n%s", out, stderr)
		}
		// (heap itself may print nothing: a per-CPU slot is shown by one CPU's value.)
		if all && strings.Contains(stderr, "not shown") {
			t.Errorf("--all-maps: stdout:\n%s\nstderr:\n%s", out, stderr)
		}
	}
}
