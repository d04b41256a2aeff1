//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The next step: the same data_t events through a BPF ring buffer (kernel 5.8+) instead of a perf event array. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16
#define NAME_MAX 255

/* The tutorial's struct, unchanged: main.go reads it at the same offsets
 * (pid 0, 4 bytes of padding, ts 8, comm 16, fname 32). */
struct data_t {
	u32 pid;
	u64 ts;
	char comm[TASK_COMM_LEN];
	char fname[NAME_MAX];
};

/* One ring buffer shared by all CPUs (a perf event array has one buffer per CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* bytes, a power of two */
} events SEC(".maps");

static __always_inline int trace_open(void *ctx, const char *filename)
{
	/* Reserve the event's place in the ring and fill it there: no copy on
	 * the BPF stack, and if the ring is full we know it now. */
	struct data_t *data = bpf_ringbuf_reserve(&events, sizeof(*data), 0);

	if (!data)
		return 0; /* ring full: this event is dropped */
	__builtin_memset(data, 0, sizeof(*data)); /* reserved memory is not zeroed */
	/* The upper 32 bits are the process id (tgid); the tutorial kept the
	 * lower 32 bits, which are the thread id. */
	data->pid = bpf_get_current_pid_tgid() >> 32;
	data->ts = bpf_ktime_get_ns();
	if (bpf_get_current_comm(&data->comm, sizeof(data->comm)) == 0) {
		/* filename points into the process's memory: read it as a user string
		 * (the tutorial's bpf_probe_read copies a fixed 255 bytes and fails
		 * near the end of a page). */
		bpf_probe_read_user_str(&data->fname, sizeof(data->fname), filename);
	}
	/* Commit it: now user space can read it. */
	bpf_ringbuf_submit(data, 0);
	return 0;
}

/* int hello_world(struct pt_regs *ctx, int dfd, const char __user *filename, ...):
 * BCC rewrote the arguments into register reads; BPF_KPROBE does that openly. */
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(ex_ring_kprobe, int dfd, const char *filename)
{
	return trace_open(ctx, filename);
}

/* Without kprobes: openat(2) and openat2(2) pass the file name as args[1]. */
SEC("tracepoint/syscalls/sys_enter_openat")
int ex_ring_tp(struct trace_event_raw_sys_enter *ctx)
{
	return trace_open(ctx, (const char *)ctx->args[1]);
}
