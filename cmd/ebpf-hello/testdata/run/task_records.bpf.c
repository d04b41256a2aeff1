// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF iterator that writes binary records, not text: one struct
 * task_record per thread with bpf_seq_write, as a loader that decodes
 * them would want (run decodes them by the struct's type).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct task_record {
	__u32 pid;
	__u32 tid;
	char comm[16];
};

SEC("iter/task")
int dump_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct task_record r = {};

	if (!task)
		return 0;
	r.pid = task->tgid;
	r.tid = task->pid;
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), task->comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
