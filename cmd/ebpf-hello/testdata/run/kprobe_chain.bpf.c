// run test: a script's if/elif/else on the kernel's functions, as the plan
// of `run --emit` keeps it when the list could not be read where it was
// compiled: one branch after the other. The first function exists on no
// kernel, the second where kprobes do; the last branch is the open
// tracepoint. make vmtest runs it too (every open: targ_pid 0).
// ebpf-hello plan: {"Attach":[{"Program":"chain_open","Kind":"kprobe","Target":"ebpf_hello_no_such_function_1","Fallback":[{"Program":"chain_open","Kind":"kprobe","Target":"do_sys_openat2","Fallback":[{"Program":"chain_open","Kind":"tracepoint","Target":"syscalls:sys_enter_openat"}]}]}]}
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_pid = 0;

SEC("kprobe/ebpf_hello_no_such_function_1")
int chain_open(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (targ_pid && pid != targ_pid)
		return 0;
	bpf_printk("chain: open by %d", pid);
	return 0;
}
