//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hello.bpf.c: the tutorial's first program (steps 1-3). On every file open
 * it writes "Hello, World!" to the kernel's trace buffer, which user space
 * reads from trace_pipe.
 *
 * The tutorial has one function and lets BCC attach it with a kprobe. Here the
 * same body is wrapped three times, once per way of hooking file opens, and
 * user space loads only the one it can attach (kprobe, else fentry, else the
 * open syscalls' tracepoints).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* bpf_trace_printk is only offered to GPL-compatible programs. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline int hello_world(void)
{
	/*
	 * BCC accepted bpf_trace_printk("Hello, World!") and added the size
	 * itself. With libbpf we pass it: the format lives on the BPF stack,
	 * which every kernel accepts (bpf_printk() would put it in .rodata,
	 * which needs 5.2+).
	 */
	char msg[] = "Hello, World!";

	bpf_trace_printk(msg, sizeof(msg));
	return 0;
}

/* The tutorial's way: a kprobe on do_sys_openat2 (user space picks the exact symbol). */
SEC("kprobe/do_sys_openat2")
int hello_kprobe(void *ctx)
{
	return hello_world();
}

/* fentry: like a kprobe, but a direct call through a BPF trampoline (5.5+, needs BTF). */
SEC("fentry/do_sys_openat2")
int BPF_PROG(hello_fentry)
{
	return hello_world();
}

/* Stable syscall tracepoints: user space attaches this to sys_enter_open, openat, openat2 and creat. */
SEC("tracepoint/syscalls/sys_enter_openat")
int hello_tracepoint(void *ctx)
{
	return hello_world();
}
