// run test: bpf_printk from a kprobe on do_sys_openat2 that reads no
// registers: where kprobes are missing, run loads it as a tracepoint
// program on the open syscalls' tracepoints.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_pid = 0;

SEC("kprobe/do_sys_openat2")
int run_printk_open(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (pid != targ_pid)
		return 0;
	bpf_printk("run test: open by %d\n", pid); /* most programs end with \n */
	return 0;
}
