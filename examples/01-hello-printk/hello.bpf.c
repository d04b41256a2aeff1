//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Tutorial steps 1-3 (hello.c): say "Hello, World!" on every file open. */
/* (The go:build line keeps `go build` from compiling this BPF C as cgo C:
 * clang compiles it, see examples/Makefile.) */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* bpf_trace_printk is only for GPL-compatible programs: BCC added this line for us. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The tutorial's hello_world(). BCC let it call bpf_trace_printk("Hello, World!")
 * and added the size argument itself; here we pass it. */
static __always_inline int hello_world(void)
{
	char msg[] = "Hello, World!";

	bpf_trace_printk(msg, sizeof(msg));
	return 0;
}

/* b.attach_kprobe(event="do_sys_openat2", fn_name="hello_world"): the SEC()
 * name says what kind of program this is; main.go attaches it. */
SEC("kprobe/do_sys_openat2")
int ex_hello_kprobe(void *ctx)
{
	return hello_world();
}

/* For kernels without kprobes: the same body, for the open syscalls'
 * tracepoints (main.go attaches it to openat and openat2). */
SEC("tracepoint/syscalls/sys_enter_openat")
int ex_hello_tp(void *ctx)
{
	return hello_world();
}
