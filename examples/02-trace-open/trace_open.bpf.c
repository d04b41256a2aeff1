//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Tutorial step 4 (hello2.c / trace_open.c): one data_t event per file open, through a perf event array. */
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

/* BPF_PERF_OUTPUT(events) */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

static __always_inline int trace_open(void *ctx, const char *filename)
{
	struct data_t data = {};

	/* The upper 32 bits are the process id (tgid); the tutorial kept the
	 * lower 32 bits, which are the thread id. */
	data.pid = bpf_get_current_pid_tgid() >> 32;
	data.ts = bpf_ktime_get_ns();
	if (bpf_get_current_comm(&data.comm, sizeof(data.comm)) == 0) {
		/* filename points into the process's memory: read it as a user string
		 * (the tutorial's bpf_probe_read copies a fixed 255 bytes and fails
		 * near the end of a page). */
		bpf_probe_read_user_str(&data.fname, sizeof(data.fname), filename);
	}
	/* events.perf_submit(ctx, &data, sizeof(data)) */
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));
	return 0;
}

/* int hello_world(struct pt_regs *ctx, int dfd, const char __user *filename, ...):
 * BCC rewrote the arguments into register reads; BPF_KPROBE does that openly. */
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(ex_trace_open_kprobe, int dfd, const char *filename)
{
	return trace_open(ctx, filename);
}

/* Without kprobes: openat(2) and openat2(2) pass the file name as args[1]. */
SEC("tracepoint/syscalls/sys_enter_openat")
int ex_trace_open_tp(struct trace_event_raw_sys_enter *ctx)
{
	return trace_open(ctx, (const char *)ctx->args[1]);
}
