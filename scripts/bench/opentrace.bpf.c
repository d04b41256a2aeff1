// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * opentrace.bpf.c: the benchmark's libbpf-style open tracer for
 * `ebpf-hello run`, doing what `ebpf-hello open --entry-only` does with the
 * output left to run's generic BTF decoding: one event per openat/openat2,
 * read at syscall entry, sent through a perf event array.
 *
 *   sudo ebpf-hello run scripts/bench/opentrace.bpf.c --set targ_comm=ehbench
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define COMM_LEN 16
#define FNAME_LEN 256

struct event {
	__u32 pid;
	__u32 tid;
	__u64 ts;
	char comm[COMM_LEN];
	char fname[FNAME_LEN];
};

/* Names the event type for run (libbpf-bootstrap's convention). */
const struct event *unused __attribute__((unused));

/* Only opens by this command name ("": every open), checked in the kernel as open --comm does. */
const volatile char targ_comm[COMM_LEN] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static __always_inline bool comm_allowed(const char *comm)
{
	if (targ_comm[0] == '\0')
		return true;
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (comm[i] == '\0')
			break;
	}
	return true;
}

static __always_inline int trace_open(void *ctx, const char *filename)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct event e = {};

	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (!comm_allowed(e.comm))
		return 0;
	e.pid = pid_tgid >> 32;
	e.tid = (__u32)pid_tgid;
	e.ts = bpf_ktime_get_ns();
	bpf_probe_read_user_str(e.fname, sizeof(e.fname), filename);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct trace_event_raw_sys_enter *ctx)
{
	return trace_open(ctx, (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int tp_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return trace_open(ctx, (const char *)ctx->args[1]);
}
