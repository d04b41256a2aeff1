// Two functions with big local buffers, one calling the other: each fits
// in 512 bytes of stack, together they do not. (One function over 512
// bytes is refused by clang itself, before the verifier.)
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __noinline int fill(int seed)
{
	volatile char buf[400];
	for (int i = 0; i < 400; i++)
		buf[i] = seed + i;
	return buf[seed & 255];
}

static __noinline int outer(int seed)
{
	volatile char big[300];
	for (int i = 0; i < 300; i++)
		big[i] = seed;
	return fill(seed) + big[seed & 127];
}

SEC("tracepoint/syscalls/sys_enter_openat")
int use_stack(void *ctx)
{
	bpf_printk("%d", outer(bpf_get_prandom_u32()));
	return 0;
}
