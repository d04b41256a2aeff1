package opens

import (
	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// Spec is the BPF object `open` loads for opts, with its knobs set from them.
// `doctor` loads it too, so both agree on what works here.
func Spec(opts Options) probe.Spec { return spec(opts) }

// spec says which programs of open.bpf.c each attach mode uses. In
// entry-only mode (the tutorial's) only the entry programs run; otherwise
// the name is read at exit, with the return value.
func spec(opts Options) probe.Spec {
	s := probe.Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf}
	s.Output = &probe.Output{Map: "events", Pages: opts.Pages}
	if opts.Buffer == BufferRing {
		s = probe.Spec{Name: "open_ring.bpf.o", Object: bpf.OpenRing, Output: &probe.Output{Map: "events", Ring: true}}
	}
	// One program per syscall tracepoint (SEC names it); those this kernel
	// lacks (open(2) and creat(2) on arm64, openat2(2) before 5.6) are switched off.
	tracepoints := []probe.Hook{
		{Program: "open_enter_open", Kind: probe.SECTracepoint},
		{Program: "open_enter_creat", Kind: probe.SECTracepoint},
		{Program: "open_enter_openat", Kind: probe.SECTracepoint},
		{Program: "open_enter_openat2", Kind: probe.SECTracepoint},
	}
	exits := []probe.Hook{
		{Program: "open_exit_open", Kind: probe.SECTracepoint},
		{Program: "open_exit_creat", Kind: probe.SECTracepoint},
		{Program: "open_exit_openat", Kind: probe.SECTracepoint},
		{Program: "open_exit_openat2", Kind: probe.SECTracepoint},
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
			probe.Tracepoint: append(tracepoints, exits...),
		}
	}
	s.Configure = func(o *probe.Object) error { return configure(o, opts) }
	return s
}

// configure sets open.bpf.c's const volatile knobs: the filters run in the kernel.
func configure(o *probe.Object, opts Options) error {
	var comm [event.TaskCommLen]byte
	copy(comm[:event.TaskCommLen-1], opts.Comm) // NUL-terminated
	uid := uint32(event.InvalidUID)             // no filter
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
