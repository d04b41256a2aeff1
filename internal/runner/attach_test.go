package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// TestNoneAttachedSaysWhy: when every program was left out, the error
// names the first and how many more, not just "no program could attach".
func TestNoneAttachedSaysWhy(t *testing.T) {
	entries := []*entry{
		{want: runplan.Attach{Program: "file_read_fentry"}, dropped: true, how: "fentry dummy_file_read: this kernel has no such function: left out"},
		{want: runplan.Attach{Program: "file_write_fentry"}, dropped: true, how: "fentry dummy_file_write: this kernel has no such function: left out"},
	}
	err := noneAttached(entries)
	if err == nil || !strings.Contains(err.Error(), "file_read_fentry: fentry dummy_file_read") || !strings.Contains(err.Error(), "and 1 more") {
		t.Errorf("noneAttached = %v", err)
	}
	if err := noneAttached(nil); err == nil || err.Error() != "no program could attach" {
		t.Errorf("no entries: %v", err)
	}
}

// TestOptionalKprobeReadingRegistersIsLeftOut: an optional kprobe on a
// syscall (a script's `if BPF.ksymname(...) != -1:`) whose program reads
// the probe's registers cannot move to the syscall's tracepoint: it is
// left out, not an error that stops the others.
func TestOptionalKprobeReadingRegistersIsLeftOut(t *testing.T) {
	a := runplan.Attach{Program: "syscall__stat_entry", Kind: runplan.Kprobe, Target: "__x64_sys_stat", Optional: true}
	e := newEntry(a, "")
	progs := map[string]probe.Program{a.Program: {Name: a.Program, ReadsContext: true}}
	if err := fallBack(e, errors.New("kernel built without CONFIG_KPROBES"), progs, ""); err != nil || !e.dropped {
		t.Errorf("optional: err %v, dropped %v", err, e.dropped)
	}
	a.Optional = false
	e = newEntry(a, "")
	if err := fallBack(e, errors.New("kernel built without CONFIG_KPROBES"), progs, ""); err == nil || !strings.Contains(err.Error(), "reads the probe's registers") {
		t.Errorf("required: %v", err)
	}
}
