package opens

import (
	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// Spec is the BPF object `open` loads for opts, with its knobs set from them.
// `doctor` loads it too, so both agree on what works here.
func Spec(opts Options) probe.Spec { return spec(opts) }

// resolveOpenFunc finds the open function to kprobe on this kernel.
func resolveOpenFunc(f probe.Facts) (string, string, error) {
	sym, err := kernel.ResolveOpenFunc(f.Version)
	return sym.Name, sym.Note, err
}

// secHooks attaches each program where its SEC() says.
func secHooks(kind probe.Kind, programs ...string) []probe.Hook {
	hooks := make([]probe.Hook, len(programs))
	for i, p := range programs {
		hooks[i] = probe.Hook{Program: p, Kind: kind}
	}
	return hooks
}

// spec says which programs of open.bpf.c each attach mode uses. In
// entry-only mode (the tutorial's) only the entry programs run; otherwise
// the name is read at exit, with the return value.
func spec(opts Options) probe.Spec {
	s := probe.Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf, Buffers: []probe.Buffer{{Map: "events", Pages: opts.Pages}}}
	if opts.Buffer == BufferRing {
		s.Name, s.Object = "open_ring.bpf.o", bpf.OpenRing
		s.MapSizes = map[string]uint32{"events": uint32(opts.Pages) * pageSize}
	}
	kprobe := []probe.Hook{{Program: "open_kprobe", Kind: probe.Kprobe, Resolve: resolveOpenFunc}}
	// fentry attaches by BTF name, which never carries the compiler's suffix.
	fentry := []probe.Hook{{Program: "open_fentry", Kind: probe.Fentry, Target: kernel.OpenFunc}}
	// One program per syscall tracepoint (SEC names it); those this kernel
	// lacks (open(2) and creat(2) on arm64, openat2(2) before 5.6) are switched off.
	tracepoints := secHooks(probe.Tracepoint, "open_enter_open", "open_enter_creat", "open_enter_openat", "open_enter_openat2")
	if !opts.EntryOnly {
		kprobe = append(kprobe, probe.Hook{Program: "open_kretprobe", Kind: probe.Kretprobe, Resolve: resolveOpenFunc})
		// fexit sees the arguments and the return value at once.
		fentry = []probe.Hook{{Program: "open_fexit", Kind: probe.Fexit, Target: kernel.OpenFunc}}
		tracepoints = append(tracepoints, secHooks(probe.Tracepoint, "open_exit_open", "open_exit_creat", "open_exit_openat", "open_exit_openat2")...)
	}
	s.Ways = []probe.Way{{Label: "kprobe", Hooks: kprobe}, {Label: "fentry", Hooks: fentry}, {Label: "tracepoint", Hooks: tracepoints}}
	s.Globals = globals(opts)
	return s
}

// globals are open.bpf.c's const volatile knobs: the filters run in the kernel.
func globals(opts Options) map[string]any {
	var comm [event.TaskCommLen]byte
	copy(comm[:event.TaskCommLen-1], opts.Comm) // NUL-terminated
	uid := uint32(event.InvalidUID)             // no filter
	if opts.UID >= 0 {
		uid = uint32(opts.UID)
	}
	return map[string]any{
		"targ_pid":         uint32(opts.PID),
		"targ_tid":         uint32(opts.TID),
		"targ_uid":         uid,
		"targ_comm":        comm,
		"targ_exclude_pid": uint32(opts.selfPID),
		"targ_failed":      opts.Failed,
		"targ_entry_only":  opts.EntryOnly,
	}
}
