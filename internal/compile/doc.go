// Package compile turns a learner's libbpf-style CO-RE C into a BPF object
// at run time, with nothing on the machine but clang.
//
// libbpf's BPF-side headers (bpf_helpers.h, bpf_tracing.h, ...) are inside
// the binary (copied from libbpf-dev by make), and vmlinux.h is generated
// from the running kernel's BTF with libbpf's BTF dump API, as bpftool does.
// Both, plus a precompiled header of them, are kept in a cache directory per
// kernel build and clang binary, so only the first compile pays for them
// (about 2 s); later ones take clang's time for the program alone.
package compile
