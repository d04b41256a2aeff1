// Counts the Collatz steps from a number no one can bound.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int collatz(void *ctx)
{
	u64 n = bpf_get_current_pid_tgid();
	u64 steps = 0;
	while (n != 1) { /* FAULT: no bound the verifier can see */
		n = (n & 1) ? 3 * n + 1 : n / 2; /* FAULT */
		steps++; /* FAULT */
	}
	bpf_printk("steps %llu", steps);
	return 0;
}
