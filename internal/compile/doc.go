// Package compile turns a learner's libbpf-style CO-RE C into a BPF object
// at run time, with nothing on the machine but clang.
//
// libbpf's BPF-side headers (bpf_helpers.h, bpf_tracing.h, ...) are inside
// the binary (copied from libbpf-dev by make), and vmlinux.h is generated
// from the running kernel's BTF with libbpf's BTF dump API, as bpftool does.
// Both, plus a precompiled header (PCH) of them, are kept in a cache
// directory per kernel build and clang binary. Measured here (clang 14, a
// small tracepoint program): the first compile on a kernel takes 0.5 s
// (vmlinux.h 0.1 s, then the program against the plain headers while clang
// makes the PCH in the background, about 0.9 s more); later ones 0.04-0.06 s
// with the PCH, against 0.3-0.45 s with the plain vmlinux.h.
//
// Compiled objects are cached in the same entry (objcache.go): a program run
// again, unchanged and with unchanged included files, needs no clang.
//
// Every compile ends libbpf's bpf_helpers.h with ebpf_hello_lost.h, which
// counts a ring buffer's lost events for run (see that file).
package compile
