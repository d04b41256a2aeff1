// run test: a raw tracepoint counting the syscalls of process targ_pid in
// a hash map keyed by syscall number, printed at exit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* syscall number */
	__type(value, __u64); /* calls */
} syscalls SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int run_hash_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 nr = ctx->args[1];
	__u64 one = 1, *count;

	if (bpf_get_current_pid_tgid() >> 32 != targ_pid)
		return 0;
	count = bpf_map_lookup_elem(&syscalls, &nr);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&syscalls, &nr, &one, BPF_NOEXIST);
	return 0;
}
