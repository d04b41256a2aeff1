// Picks a letter of the command name at a random index, masked too loosely.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int pick_letter(void *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	u32 i = bpf_get_prandom_u32() & 31;
	bpf_printk("letter %c", comm[i]); /* FAULT: i may be 16..31 */
	return 0;
}
