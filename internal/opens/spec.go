package opens

import (
	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// The syscalls that open files, as tracepoint names. open(2) and creat(2)
// pass the file name as their first argument, openat(2) and openat2(2) as
// their second, hence two entry programs.
var (
	enterName0 = []string{"sys_enter_open", "sys_enter_creat"}
	enterName1 = []string{"sys_enter_openat", "sys_enter_openat2"}
	exits      = []string{"sys_exit_open", "sys_exit_creat", "sys_exit_openat", "sys_exit_openat2"}
)

// Spec is the BPF object `open` loads for opts, with its knobs set from them.
// `doctor` loads it too, so both agree on what works here.
func Spec(opts Options) probe.Spec { return spec(opts) }

// spec says which programs of open.bpf.c each attach mode uses. In
// entry-only mode (the tutorial's) only the entry programs run; otherwise
// the name is read at exit, with the return value.
func spec(opts Options) probe.Spec {
	s := probe.Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf}
	if opts.Buffer == BufferRing {
		s = probe.Spec{Name: "open_ring.bpf.o", Object: bpf.OpenRing}
	}
	tracepoints := []probe.Hook{
		{Program: "open_tp_enter_name0", Kind: probe.SyscallTracepoints, Tracepoints: enterName0},
		{Program: "open_tp_enter_name1", Kind: probe.SyscallTracepoints, Tracepoints: enterName1},
	}
	if opts.EntryOnly {
		s.Hooks = map[probe.Mode][]probe.Hook{
			probe.Kprobe:     {{Program: "open_kprobe", Kind: probe.KprobeEntry}},
			probe.Fentry:     {{Program: "open_fentry", Kind: probe.FentryEntry}},
			probe.Tracepoint: tracepoints,
		}
	} else {
		s.Hooks = map[probe.Mode][]probe.Hook{
			probe.Kprobe: {
				{Program: "open_kprobe", Kind: probe.KprobeEntry},
				{Program: "open_kretprobe", Kind: probe.KprobeReturn},
			},
			// fexit sees the arguments and the return value at once.
			probe.Fentry:     {{Program: "open_fexit", Kind: probe.FentryEntry}},
			probe.Tracepoint: append(tracepoints, probe.Hook{Program: "open_tp_exit", Kind: probe.SyscallTracepoints, Tracepoints: exits}),
		}
	}
	s.Configure = func(o *probe.Object) error { return configure(o, opts) }
	return s
}

// configure sets open.bpf.c's const volatile knobs: the filters run in the kernel.
func configure(o *probe.Object, opts Options) error {
	var comm [16]byte
	copy(comm[:15], opts.Comm)
	uid := uint32(0xffffffff) // INVALID_UID: no filter
	if opts.UID >= 0 {
		uid = uint32(opts.UID)
	}
	for _, g := range []struct {
		name  string
		value any
	}{
		{"targ_pid", uint32(opts.PID)},
		{"targ_tid", uint32(opts.TID)},
		{"targ_uid", uid},
		{"targ_comm", comm},
		{"targ_exclude_pid", uint32(opts.selfPID)},
		{"targ_failed", opts.Failed},
		{"targ_entry_only", opts.EntryOnly},
	} {
		if err := o.SetGlobal(g.name, g.value); err != nil {
			return err
		}
	}
	if opts.Buffer == BufferRing {
		return o.SetMapSize("events", uint32(opts.Pages)*pageSize)
	}
	return nil
}
