//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hello.bpf.c: the tutorial's first program (steps 1-3). On every file open
 * it writes "Hello, World!" to the kernel's trace buffer, which user space
 * reads from trace_pipe.
 *
 * The tutorial has one function and lets BCC attach it with a kprobe. Here the
 * same body is wrapped once per way of hooking file opens, and user space
 * loads only what it can attach (kprobe, else fentry, else the open
 * syscalls' tracepoints).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* bpf_trace_printk is only offered to GPL-compatible programs. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The message, defined once: a global lands in .rodata and in the object's
 * BTF, where a Go test (internal/event) checks it against event.HelloMessage,
 * the text printk looks for. BCC accepted bpf_trace_printk("Hello, World!")
 * and added the size itself; with libbpf we pass it. (A format in .rodata
 * needs global data, kernel 5.2+: every kernel with BTF has it.)
 */
const char hello_message[] = "Hello, World!";

static __always_inline int hello_world(void)
{
	bpf_trace_printk(hello_message, sizeof(hello_message));
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

/*
 * Stable syscall tracepoints, one program per open syscall, named for it:
 * user space switches off those this kernel lacks (no open(2) or creat(2) on
 * arm64 or riscv64, no openat2(2) before 5.6).
 */
SEC("tracepoint/syscalls/sys_enter_open")
int hello_open(void *ctx)
{
	return hello_world();
}

SEC("tracepoint/syscalls/sys_enter_creat")
int hello_creat(void *ctx)
{
	return hello_world();
}

SEC("tracepoint/syscalls/sys_enter_openat")
int hello_openat(void *ctx)
{
	return hello_world();
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int hello_openat2(void *ctx)
{
	return hello_world();
}
