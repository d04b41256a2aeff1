package builtins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// fakeTracefs is a tracefs root that shows only the given syscalls
// tracepoints, as a kernel without the others would. Attaching still goes
// through the real tracefs: only the question "does it exist?" is faked.
func fakeTracefs(t *testing.T, tracepoints ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, tp := range tracepoints {
		if err := os.MkdirAll(filepath.Join(root, "events", "syscalls", tp), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestTracepointsAttachWhatExists: on arm64 and riscv64 there is no open(2)
// nor creat(2), only openat(2) and openat2(2). Tracepoint mode must attach
// what exists and fail only when nothing does.
func TestTracepointsAttachWhatExists(t *testing.T) {
	testenv.RequireRoot(t)
	if _, err := os.Stat("/sys/kernel/tracing/events/syscalls/sys_enter_openat"); err != nil {
		testenv.Skip(t, "needs tracefs at /sys/kernel/tracing with syscall tracepoints")
	}
	for _, entryOnly := range []bool{false, true} {
		c := OpenConfig{Buffer: options.BufferPerf, Pages: options.DefaultPerfPages, UID: -1, EntryOnly: entryOnly}
		arm64 := fakeTracefs(t, "sys_enter_openat", "sys_exit_openat", "sys_enter_openat2", "sys_exit_openat2")
		l, err := probe.Load(Open(c), probe.Options{Way: "tracepoint", Tracefs: arm64})
		if err != nil {
			t.Fatalf("entry-only %v, only openat/openat2: %v", entryOnly, err)
		}
		if !strings.Contains(l.Where, "syscalls:sys_enter_openat") || strings.Contains(l.Where, "sys_enter_open,") || strings.Contains(l.Where, "creat") {
			t.Errorf("attached %q, want exactly the openat tracepoints", l.Where)
		}
		l.Close()

		l, err = probe.Load(Open(c), probe.Options{Way: "tracepoint", Tracefs: fakeTracefs(t)})
		if err == nil {
			l.Close()
			t.Fatal("attached although no tracepoint exists")
		}
		if !strings.Contains(err.Error(), "none of the tracepoints") {
			t.Errorf("no tracepoint at all: %v", err)
		}
	}
}
