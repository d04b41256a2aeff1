// Prints the parent's pid, reading kernel memory by plain dereference.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int parent_pid(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int ppid = task->real_parent->tgid; /* FAULT: needs BPF_CORE_READ */
	bpf_printk("parent %d", ppid);
	return 0;
}
