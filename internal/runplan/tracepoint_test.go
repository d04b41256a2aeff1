package runplan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tracepoint that is not here is explained by what is here: its
// category without it (removed or renamed), no such category (a module
// not loaded may provide it), or no syscalls category at all
// (CONFIG_FTRACE_SYSCALLS).
func TestMissingTracepoint(t *testing.T) {
	tracefs := t.TempDir()
	for _, d := range []string{"events/random/mix_pool_bytes", "events/syscalls/sys_enter_openat"} {
		if err := os.MkdirAll(filepath.Join(tracefs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	modules := t.TempDir()
	dep := "kernel/arch/x86/kvm/kvm.ko.xz: kernel/virt/lib/irqbypass.ko.xz\nkernel/drivers/foo/bar.ko:\n"
	if err := os.WriteFile(filepath.Join(modules, "modules.dep"), []byte(dep), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		cat, ev string
		want    []string
		not     string
	}{
		{"random", "urandom_read", []string{"random:urandom_read", "category random has no event urandom_read", "renamed or removed"}, "FTRACE_SYSCALLS"},
		{"kvm", "kvm_exit", []string{"no tracepoint category kvm", "kvm module", "not loaded", "modprobe kvm"}, "FTRACE_SYSCALLS"},
		{"nosuch", "ev", []string{"no tracepoint category nosuch", "a module"}, "modprobe"},
		{"syscalls", "sys_enter_nope", []string{"category syscalls has no event sys_enter_nope"}, "FTRACE_SYSCALLS"},
	} {
		got := missingTracepoint(tracefs, modules, tt.cat, tt.ev)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s:%s: %q lacks %q", tt.cat, tt.ev, got, w)
			}
		}
		if strings.Contains(got, tt.not) {
			t.Errorf("%s:%s: %q says %q", tt.cat, tt.ev, got, tt.not)
		}
	}
	if err := os.RemoveAll(filepath.Join(tracefs, "events/syscalls")); err != nil {
		t.Fatal(err)
	}
	if got := missingTracepoint(tracefs, modules, "syscalls", "sys_enter_openat"); !strings.Contains(got, "CONFIG_FTRACE_SYSCALLS") {
		t.Errorf("no syscalls category: %q", got)
	}
}
