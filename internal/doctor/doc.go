// Package doctor runs `ebpf-hello doctor`: one line per thing a tutorial
// needs from the machine (kernel, BTF, privileges, tracefs, kprobes, fentry,
// tracepoints, buffers), each ok / warn / fail with a one-line fix, then a
// live self-test of the real `open` and `printk` commands.
//
// What only loading BPF can tell (buffers, attach modes, run's compiler)
// comes through the Kernel interface: internal/bpfcheck loads the very
// specs the commands load (internal/builtins), so doctor and the commands
// cannot disagree, while this package, its checks and its verdicts stay
// plain Go (CGO_ENABLED=0 go test works).
package doctor
