package builtins

import (
	"os"

	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// pageSize is the unit of --pages: the machine's page, as for the perf buffer
// (4 KiB on x86, up to 64 KiB on arm64).
var pageSize = uint32(os.Getpagesize())

// OpenConfig are open.bpf.c's knobs, already validated by the caller.
type OpenConfig struct {
	Buffer     string          // options.BufferPerf or options.BufferRing
	Pages      int             // buffer size in pages, a power of two
	PID, TID   uint32          // 0: any
	UID        int             // -1: any
	Comm       string          // "": any; at most 15 bytes
	ExcludePID uint32          // never this process (the tracer itself)
	Failed     bool            // only failed opens
	EntryOnly  bool            // read the name at entry, as the tutorial does
	PIDNS      pidns.Namespace // number processes in this namespace (zero: the host's)
}

// Open is open.bpf.c for c. In entry-only mode (the tutorial's) only the
// entry programs run; otherwise the name is read at exit, with the return value.
func Open(c OpenConfig) probe.Spec {
	s := probe.Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf, Buffers: []probe.Buffer{{Map: "events", Pages: c.Pages}}}
	if c.Buffer == options.BufferRing {
		s.Name, s.Object = "open_ring.bpf.o", bpf.OpenRing
		s.MapSizes = map[string]uint32{"events": uint32(c.Pages) * pageSize}
	}
	kprobe := []probe.Hook{{Program: "open_kprobe", Kind: probe.Kprobe, Resolve: resolveOpenFunc}}
	// fentry attaches by BTF name, which never carries the compiler's suffix.
	fentry := []probe.Hook{{Program: "open_fentry", Kind: probe.Fentry, Target: kernel.OpenFunc}}
	// One program per syscall tracepoint (SEC names it); those this kernel
	// lacks (open(2) and creat(2) on arm64, openat2(2) before 5.6) are switched off.
	tracepoints := secHooks(probe.Tracepoint, "open_enter_open", "open_enter_creat", "open_enter_openat", "open_enter_openat2")
	if !c.EntryOnly {
		kprobe = append(kprobe, probe.Hook{Program: "open_kretprobe", Kind: probe.Kretprobe, Resolve: resolveOpenFunc})
		// fexit sees the arguments and the return value at once.
		fentry = []probe.Hook{{Program: "open_fexit", Kind: probe.Fexit, Target: kernel.OpenFunc}}
		tracepoints = append(tracepoints, secHooks(probe.Tracepoint, "open_exit_open", "open_exit_creat", "open_exit_openat", "open_exit_openat2")...)
	}
	s.Ways = []probe.Way{{Label: "kprobe", Hooks: kprobe}, {Label: "fentry", Hooks: fentry}, {Label: "tracepoint", Hooks: tracepoints}}
	s.Globals = openGlobals(c)
	return s
}

// openGlobals are open.bpf.c's const volatile knobs: the filters run in the kernel.
func openGlobals(c OpenConfig) map[string]any {
	return pidnsGlobals(map[string]any{
		"targ_pid":         c.PID,
		"targ_tid":         c.TID,
		"targ_uid":         uidFilter(c.UID, event.InvalidUID),
		"targ_comm":        commFilter(c.Comm),
		"targ_exclude_pid": c.ExcludePID,
		"targ_failed":      c.Failed,
		"targ_entry_only":  c.EntryOnly,
	}, c.PIDNS)
}

// commFilter is a targ_comm value: the name, NUL-terminated.
func commFilter(comm string) [event.TaskCommLen]byte {
	var b [event.TaskCommLen]byte
	copy(b[:event.TaskCommLen-1], comm)
	return b
}

// uidFilter is a targ_uid value: none (-1) is the C side's "any user".
func uidFilter(uid int, any uint32) uint32 {
	if uid < 0 {
		return any
	}
	return uint32(uid)
}
