package builtins

import (
	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// ExecConfig are exec.bpf.c's knobs, already validated by the caller.
type ExecConfig struct {
	Pages  int             // perf buffer pages per CPU, a power of two
	PID    uint32          // 0: any
	UID    int             // -1: any
	Comm   string          // "": any; at most 15 bytes
	Failed bool            // only failed execs
	PIDNS  pidns.Namespace // number processes in this namespace (zero: the host's)
}

// Exec is exec.bpf.c for c: the execve and execveat syscall tracepoints,
// one program each for entry and exit (those this kernel lacks are switched off).
func Exec(c ExecConfig) probe.Spec {
	return probe.Spec{
		Name:    "exec.bpf.o",
		Object:  bpf.Exec,
		Buffers: []probe.Buffer{{Map: "events", Pages: c.Pages}},
		Ways: []probe.Way{{Label: "tracepoint", Hooks: secHooks(probe.Tracepoint,
			"exec_enter_execve", "exec_enter_execveat", "exec_exit_execve", "exec_exit_execveat")}},
		Globals: pidnsGlobals(map[string]any{
			"targ_pid":    c.PID,
			"targ_uid":    uidFilter(c.UID, event.ExecInvalidUID),
			"targ_comm":   commFilter(c.Comm),
			"targ_failed": c.Failed,
		}, c.PIDNS),
	}
}
