package opens

import (
	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// spec is open.bpf.c with its knobs set from opts (internal/builtins);
// selfPID, the tracer, is never traced; ids are numbered in ns.
func spec(opts options.Open, selfPID int, ns pidns.Namespace) probe.Spec {
	return builtins.Open(builtins.OpenConfig{
		Buffer:     opts.Buffer,
		Pages:      opts.Pages,
		PID:        uint32(opts.PID),
		TID:        uint32(opts.TID),
		UID:        opts.UID,
		Comm:       opts.Comm,
		ExcludePID: uint32(selfPID),
		Failed:     opts.Failed,
		EntryOnly:  opts.EntryOnly,
		PIDNS:      ns,
	})
}
