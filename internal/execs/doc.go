// Package execs runs `ebpf-hello exec`: one line per process execution
// (execve, execveat), TIME(s) PCOMM PID PPID RET ARGS, like execsnoop.
//
// Data flow: exec.bpf.c → perf event array → probe.Reader (raw samples) →
// samples.Stream (time order) → event.DecodeExec → output.ExecPrinter → stdout.
package execs
