// Hello, World! under a license that is not GPL-compatible.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Proprietary";

SEC("tracepoint/syscalls/sys_enter_openat")
int hello(void *ctx)
{
	bpf_printk("Hello, World!"); /* FAULT: GPL-only helper */
	return 0;
}
