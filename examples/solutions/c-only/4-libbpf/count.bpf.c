// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Workshop exercise C4 (solution): C3 in libbpf style. BCC's
 * counts.increment(key) becomes a lookup, then an atomic add or an insert. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16

struct key_t {
	u32 pid; /* the process id (tgid): the upper half */
	char comm[TASK_COMM_LEN];
};

/* BPF_HASH(counts, struct key_t, u64): BCC's default size is 10240 entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct key_t);
	__type(value, u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int ex_count(void *ctx)
{
	struct key_t key = {};
	u64 one = 1, *n;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1); /* other CPUs may count the same key */
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}
