package bccpy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// BCC's first lesson is one line: BPF(text=...) and trace_print() on the
// object it makes, never named.
func TestOneLineScript(t *testing.T) {
	py := `#!/usr/bin/python3
from bcc import BPF
BPF(text='int kprobe__sys_clone(void *ctx) { bpf_trace_printk("a new task\\n"); return 0; }').trace_print()
`
	s, err := Read([]byte(py), "oneline.py")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s.Text), `bpf_trace_printk("a new task\n")`) {
		t.Errorf("text %q", s.Text)
	}
	if !reflect.DeepEqual(s.Plan.Outputs, []runplan.Output{{Kind: runplan.TracePipe, Format: "raw"}}) || len(s.Plan.Notes) != 0 {
		t.Errorf("outputs %+v notes %q", s.Plan.Outputs, s.Plan.Notes)
	}
	// the same, attaching through the unnamed object
	py = `from bcc import BPF
BPF(text='int f(void *ctx) { return 0; }').attach_tracepoint(tp="sched:sched_switch", fn_name="f")
`
	if s, err = Read([]byte(py), "oneline2.py"); err != nil {
		t.Fatal(err)
	}
	if want := []runplan.Attach{{Program: "f", Kind: runplan.Tracepoint, Target: "sched:sched_switch"}}; !reflect.DeepEqual(s.Attach, want) {
		t.Errorf("attach %+v", s.Attach)
	}
}
