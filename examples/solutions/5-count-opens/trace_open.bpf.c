//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Workshop exercise 5 (solution): count opens per process in a BPF hash map.
 * Nothing is sent per event: user space reads the map when it wants. */
/* (The go:build line keeps `go build` from compiling this BPF C as cgo C:
 * clang compiles it, see examples/Makefile.) */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16

/* main.go's processCount mirrors it; layout_test.go checks the layouts. */
struct count_t {
	u64 opens;
	char comm[TASK_COMM_LEN];
};

/* key: process id; value: how many opens, and the process's name */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct count_t);
} counts SEC(".maps");

static __always_inline int count_open(void)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct count_t *c = bpf_map_lookup_elem(&counts, &pid);

	if (c) {
		/* Another CPU may count the same process at the same time: add atomically. */
		__sync_fetch_and_add(&c->opens, 1);
		/* Keep the latest name: after exec, "bash" becomes "cat". */
		bpf_get_current_comm(&c->comm, sizeof(c->comm));
		return 0;
	}
	struct count_t first = { .opens = 1 };

	bpf_get_current_comm(&first.comm, sizeof(first.comm));
	/* BPF_NOEXIST: if another CPU inserted it meanwhile, count on its entry. */
	if (bpf_map_update_elem(&counts, &pid, &first, BPF_NOEXIST)) {
		c = bpf_map_lookup_elem(&counts, &pid);
		if (c)
			__sync_fetch_and_add(&c->opens, 1);
	}
	return 0;
}

SEC("kprobe/do_sys_openat2")
int ex_trace_open_kprobe(void *ctx)
{
	return count_open();
}

SEC("tracepoint/syscalls/sys_enter_openat")
int ex_trace_open_tp(void *ctx)
{
	return count_open();
}
