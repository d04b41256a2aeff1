package builtins

import (
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
)

// Namespace is the PID namespace the built-in programs number processes in
// (bpf/pidns.h): this process's when it is a child of the host's (a
// container) and the kernel has bpf_get_ns_current_pid_tgid (5.7); else
// the zero Namespace, the host's. note says what the learner should know,
// or is "".
func Namespace() (ns pidns.Namespace, note string) {
	ns, child := pidns.Current()
	if !child {
		return pidns.Namespace{}, ""
	}
	if _, v, err := kernel.Release(); err == nil && !v.AtLeast(5, 7) {
		return pidns.Namespace{}, "in a PID namespace (a container), but kernel " + v.String() +
			" cannot number processes in it (5.7 can): PIDs shown, and --pid, are the host's"
	}
	return ns, "in a PID namespace (a container): PIDs are this namespace's, as ps shows them here; " +
		"'-' is a process outside it (JSON has host_pid)"
}

// pidnsGlobals are bpf/pidns.h's knobs for ns.
func pidnsGlobals(g map[string]any, ns pidns.Namespace) map[string]any {
	g["targ_pidns_dev"] = ns.Dev
	g["targ_pidns_ino"] = ns.Ino
	return g
}
