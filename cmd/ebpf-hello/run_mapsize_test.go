package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunSizesMapsItsLoaderWould: a stack trace map with neither
// max_entries nor value_size, and a hash without max_entries, failed with
// a bare EINVAL. run gives them a loader's defaults and says so;
// --map-size sets one; a load error names the map.
func TestRunSizesMapsItsLoaderWould(t *testing.T) {
	testenv.RequireRoot(t)
	o := startOpener(t, 5)
	tr := startTracer(t, "running", "run", runProgram("sized_by_loader.bpf.c"), "--set", "targ_pid="+strconv.Itoa(o.pid), "--map-size", "opens_by_stack=64")
	o.run(t)
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"note: map stackmap has no max_entries (its loader sets it): 10240 entries (--map-size stackmap=N to change)",
		"note: map stackmap has no value_size (its loader sets it): 127 frames of 8 bytes",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "map opens_by_stack has no max_entries") {
		t.Errorf("--map-size opens_by_stack=64 was not taken:\n%s", stderr)
	}
	if !strings.Contains(out, "opens_by_stack") {
		t.Errorf("no counts printed:\n%s", out)
	}
	r := runCommand(t, binary(t), "run", runProgram("sized_by_loader.bpf.c"), "--map-size", "nosuch=1")
	if r.code == 0 || !strings.Contains(r.stderr, "the program has no map nosuch") {
		t.Errorf("--map-size of an unknown map: exit %d, %s", r.code, r.stderr)
	}
}
