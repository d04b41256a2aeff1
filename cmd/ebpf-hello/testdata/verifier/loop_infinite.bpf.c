// Waits for a flag that nothing in the loop changes.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int wait_flag(void *ctx)
{
	volatile int done = 0;
	while (!done) /* FAULT: never changes */
		;
	return 0;
}
