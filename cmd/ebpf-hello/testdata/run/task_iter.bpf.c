// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF iterator: the kernel calls list_tasks once per thread while
 * user space reads the iterator (bpftool iter pin + cat, or run), and
 * what it prints with BPF_SEQ_PRINTF is what the reader gets.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int list_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) /* called once more after the last task */
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-8s %-8s %s\n", "PID", "TID", "COMM");
	BPF_SEQ_PRINTF(seq, "%-8d %-8d %s\n", task->tgid, task->pid, task->comm);
	return 0;
}
