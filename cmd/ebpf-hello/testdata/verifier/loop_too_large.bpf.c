// A bounded loop, but far too long for the verifier to walk.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int sum(void *ctx)
{
	u64 total = 0;
	for (int i = 0; i < 1000000; i++) /* FAULT: a million rounds */
		total += bpf_get_prandom_u32() & i; /* FAULT */
	bpf_printk("%llu", total);
	return 0;
}
