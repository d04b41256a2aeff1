// Calls a networking helper from a tracepoint program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int redirect_opens(void *ctx)
{
	bpf_printk("open");
	return bpf_redirect(1, 0); /* FAULT: not for tracepoints */
}
