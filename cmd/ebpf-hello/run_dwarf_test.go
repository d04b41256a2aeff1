package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunEventStructOnlyALocalVariable: the event struct exists only as a
// local variable (libbpf-tools' `struct event e = {}`), so it is not in
// BTF; run reads it from DWARF and decodes every event (before: "cannot
// tell which struct its events are").
func TestRunEventStructOnlyALocalVariable(t *testing.T) {
	testenv.RequireRoot(t)
	before := ourPrograms(t)
	o := startOpener(t, 3)
	tr := startTracer(t, "running", "run", runProgram("perf_local_event.bpf.c"), "--set", "targ_comm="+o.comm, "--json", "-n", "3")
	o.run(t)
	lines := tr.collect(t, 3, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines %q; stderr:\n%s", code, len(lines), lines, stderr)
	}
	for _, line := range lines {
		var ev struct {
			PID  int    `json:"pid"`
			Comm string `json:"comm"`
			File string `json:"file"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if ev.PID != o.pid || ev.Comm != o.comm || !strings.HasPrefix(o.path, ev.File) || ev.File == "" {
			t.Errorf("event %+v, want pid %d comm %s file %s", ev, o.pid, o.comm, o.path)
		}
	}
	assertNothingLeft(t, before)
}
