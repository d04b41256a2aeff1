package execs

import (
	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// spec is exec.bpf.c with its filters set from opts (internal/builtins).
// Ids are numbered in ns.
func spec(opts options.Exec, ns pidns.Namespace) probe.Spec {
	return builtins.Exec(builtins.ExecConfig{Pages: opts.Pages, PID: uint32(opts.PID), UID: opts.UID, Comm: opts.Comm, Failed: opts.Failed, PIDNS: ns})
}
