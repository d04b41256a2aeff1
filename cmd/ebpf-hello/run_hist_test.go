package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunHistogramOfSlotArrays: a libbpf-tools-shaped histogram (struct
// hist { slots[]; comm[] } per key) prints at exit as a log2 histogram
// (before: "a histogram needs integer counts" and nothing printed).
func TestRunHistogramOfSlotArrays(t *testing.T) {
	o := startOpener(t, 5)
	tr := startTracer(t, "running", "run", runProgram("hist_slots.bpf.c"), "--set", "targ_pid="+strconv.Itoa(o.pid))
	o.run(t) // the child has exited: its opens are in the map
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	if code != 0 || !regexp.MustCompile(`524288 -> 1048575\s+: 5\s+\|\*+\|`).MatchString(out) {
		t.Fatalf("exit %d, no log2 row of 5 for 524288 -> 1048575 in:\n%s\nstderr:\n%s", code, out, stderr)
	}
}
