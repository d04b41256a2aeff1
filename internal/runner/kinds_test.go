package runner

import (
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// The plan's attach kinds and the loader's hook kinds are the same names:
// runner turns one into the other by a cast.
func TestAttachKindsAreTheLoadersKinds(t *testing.T) {
	if len(runplan.Kinds) != len(probe.Kinds) {
		t.Fatalf("runplan has %d kinds, probe %d", len(runplan.Kinds), len(probe.Kinds))
	}
	for i, k := range runplan.Kinds {
		if string(k) != string(probe.Kinds[i]) {
			t.Errorf("kind %d: runplan %q, probe %q", i, k, probe.Kinds[i])
		}
	}
}

// libbpf-tools' pairs become one entry, best kind first; programs of one
// kind on one target, or alone, stay as they are.
func TestGroupAlternatives(t *testing.T) {
	in := []runplan.Attach{
		{Program: "wakeup_btf", Kind: runplan.TpBTF, Target: "sched_wakeup"},
		{Program: "wakeup_raw", Kind: runplan.RawTracepoint, Target: "sched_wakeup"},
		{Program: "read_kprobe", Kind: runplan.Kprobe, Target: "vfs_read"},
		{Program: "read_fentry", Kind: runplan.Fentry, Target: "vfs_read"},
		{Program: "a", Kind: runplan.RawTracepoint, Target: "sched_switch"},
		{Program: "b", Kind: runplan.RawTracepoint, Target: "sched_switch"},
		{Program: "c", Kind: runplan.TpBTF, Target: "sched_switch"},
		{Program: "open", Kind: runplan.Tracepoint, Target: "syscalls:sys_enter_openat"},
	}
	got := groupAlternatives(in)
	var names []string
	for _, a := range got {
		n := a.Program
		for _, f := range a.Fallback {
			n += ">" + f.Program
		}
		names = append(names, n)
	}
	want := []string{"wakeup_btf>wakeup_raw", "read_fentry>read_kprobe", "a", "b", "c", "open"}
	if len(names) != len(want) {
		t.Fatalf("got %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("got %v, want %v", names, want)
			break
		}
	}
}
