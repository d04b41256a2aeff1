package runplan

import (
	"reflect"
	"testing"
	"time"
)

func TestPlanTravelsInSource(t *testing.T) {
	p := Plan{
		Attach:   []Attach{{Program: "f", Kind: Kprobe, Target: "do_sys_openat2", Fallback: []Attach{{Program: "f__openat", Kind: Tracepoint, Target: "syscalls:sys_enter_openat"}}}},
		Outputs:  []Output{{Kind: Events, Map: "events", Type: "data_t", Print: &Print{Format: "%-6d", Args: []PrintArg{{Field: "pid"}}}}},
		Interval: 2 * time.Second,
		Header:   []string{"PID   "},
		Notes:    []string{"a note"},
	}
	src := []byte("int x;\n" + p.SourceLine() + "int y;\n")
	got, err := FromSource(src)
	if err != nil || got == nil || !reflect.DeepEqual(*got, p) {
		t.Fatalf("FromSource = %+v, %v; want %+v", got, err, p)
	}
	if got, err := FromSource([]byte("int x;\n")); got != nil || err != nil {
		t.Errorf("no plan line: %v, %v", got, err)
	}
	if _, err := FromSource([]byte("// ebpf-hello plan: {x\n")); err == nil {
		t.Error("a broken plan line: no error")
	}
}
