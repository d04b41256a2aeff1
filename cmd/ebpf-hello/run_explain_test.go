package main

import (
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunExplain: --explain says where each printed thing comes from:
// the events' struct and how it was found, how its numbers are shown, the
// map printed at exit and why, the globals set; and trace_pipe's lines.
func TestRunExplain(t *testing.T) {
	testenv.RequireRoot(t)
	r := runCommand(t, binary(t), "run", runProgram("readable_values.bpf.c"), "--explain", "--set", "targ_tgid=1", "--duration", "200ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"explain: no user-space code of yours runs",
		"explain: events of ring buffer events: the program copies each event there; each is struct event (",
		"found by the program's source, which sends struct event to events; in the object's DWARF",
		"explain: events of events: saddr: an IPv4 address",
		"explain: events of events: dport: in network order",
		"explain: events of events: ret: a return value or error",
		"explain: map conns (hash, up to 64 entries): printed at exit",
		"explain: globals set before loading (--set or the script): targ_tgid",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = runCommand(t, binary(t), "run", runProgram("printk.bpf.c"), "--explain", "--duration", "200ms")
	if r.code != 0 || !strings.Contains(r.stderr, "explain: trace_pipe: run_printk_open call bpf_printk") {
		t.Errorf("printk program: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
