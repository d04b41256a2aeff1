// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Workshop exercise C4 (solution): C1 in libbpf style.
 * `sudo ebpf-hello run hello.bpf.c` attaches it by its SEC() name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* bpf_printk (bpf_trace_printk) is for GPL-compatible programs only. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int ex_hello(void *ctx)
{
	bpf_printk("Hello, eBPF workshop!"); /* passes the size for us */
	return 0;
}
