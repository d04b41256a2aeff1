// Package probe loads ebpf-hello's BPF objects into the kernel and attaches
// them to file opens. It is the only package that talks to libbpf (through
// libbpfgo), so everything else stays plain Go, testable without root.
//
// Attaching follows a fallback chain, because kernels differ: a kprobe on
// do_sys_openat2 (the tutorial's way), else fentry on the same function,
// else the open syscalls' tracepoints. Each attempt loads a fresh copy of the
// object with only that mode's programs enabled: a program the kernel refuses
// (fentry on some kernels) must not take the others down with it.
package probe
