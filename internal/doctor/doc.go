// Package doctor runs `ebpf-hello doctor`: one line per thing a tutorial
// needs from the machine (kernel, BTF, privileges, tracefs, kprobes, fentry,
// tracepoints, buffers), each ok / warn / fail with a one-line fix, then a
// live self-test of the real `open` and `printk` commands.
//
// The attach-mode checks load the very object `open` loads, through the
// same probe.Load, so doctor and the commands cannot disagree.
package doctor
