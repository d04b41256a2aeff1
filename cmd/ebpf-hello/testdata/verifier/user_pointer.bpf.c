// Prints the first letter of each opened file, reading user memory directly.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct openat_args {
	u64 common;
	long syscall_nr;
	long dfd;
	const char *filename;
	long flags;
	long mode;
};

SEC("tracepoint/syscalls/sys_enter_openat")
int first_letter(struct openat_args *ctx)
{
	const char *name = ctx->filename;
	char c = name[0]; /* FAULT: needs bpf_probe_read_user */
	bpf_printk("first letter %c", c);
	return 0;
}
