//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The next step after the tutorial: the same data_t events, sent through a
 * BPF ring buffer (Linux 5.8+) instead of a perf event array. */
/* (The go:build line keeps `go build` from compiling this BPF C as cgo C:
 * clang compiles it, see examples/Makefile.) */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16
#define NAME_MAX 255

/* The tutorial's struct, unchanged. main.go's `event` mirrors it field by
 * field; layout_test.go checks the two layouts against each other. */
struct data_t {
	u32 pid;
	u64 ts;
	char comm[TASK_COMM_LEN];
	char fname[NAME_MAX];
};

/* Keeps struct data_t in the object's BTF (type information), where the
 * test reads its layout: a type used only inside a function is left out. */
const struct data_t *unused_data_t __attribute__((unused));

/* One ring buffer shared by all CPUs (a perf event array has one buffer per CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* bytes, a power of two */
} events SEC(".maps");

static __always_inline int trace_open(void *ctx, const char *filename)
{
	/* Reserve the event's place in the ring and fill it there: no copy
	 * from the BPF stack, and if the ring is full we know it now. */
	struct data_t *data = bpf_ringbuf_reserve(&events, sizeof(*data), 0);

	/* ring full: this event is dropped (the verifier insists on this check) */
	if (!data)
		return 0;
	__builtin_memset(data, 0, sizeof(*data)); /* reserved memory is not zeroed */
	/* The upper 32 bits are the process id (tgid); the tutorial kept the
	 * lower 32 bits, which are the thread id. */
	data->pid = bpf_get_current_pid_tgid() >> 32;
	data->ts = bpf_ktime_get_ns();
	if (bpf_get_current_comm(&data->comm, sizeof(data->comm)) == 0) {
		/* filename points into the process's memory: read it as a user
		 * string (the tutorial's bpf_probe_read copies a fixed 255 bytes
		 * and fails near the end of a page). */
		bpf_probe_read_user_str(&data->fname, sizeof(data->fname), filename);
	}
	/* Commit it: now user space can read it. */
	bpf_ringbuf_submit(data, 0);
	return 0;
}

/* int hello_world(struct pt_regs *ctx, int dfd, const char __user *filename, ...):
 * BCC rewrote the arguments into register reads; BPF_KPROBE does that openly.
 * main.go attaches it to do_sys_openat2, as b.attach_kprobe() did. */
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(ex_trace_open_kprobe, int dfd, const char *filename)
{
	return trace_open(ctx, filename);
}

/* For kernels without kprobes: openat(2) and openat2(2) pass the file name
 * as args[1]. main.go attaches it to both syscalls' tracepoints. */
SEC("tracepoint/syscalls/sys_enter_openat")
int ex_trace_open_tp(struct trace_event_raw_sys_enter *ctx)
{
	return trace_open(ctx, (const char *)ctx->args[1]);
}
