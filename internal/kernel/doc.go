// Package kernel answers questions about the running kernel that decide how
// ebpf-hello attaches: its version, whether it has kprobes, which symbol
// implements file opens, and whether this process may load BPF.
//
// It only reads /proc and /sys; it never loads BPF (package probe does).
package kernel
