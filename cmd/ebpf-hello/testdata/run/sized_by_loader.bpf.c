// run test: maps whose loader sizes them, as libbpf-tools declare them: a
// stack trace map with neither max_entries nor value_size, and a hash
// without max_entries. Counts the stacks of openat(2) by process targ_pid.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
} opens_by_stack SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int sized_by_loader(void *ctx)
{
	__u64 one = 1, *n;
	__u32 id;
	long r;

	if (bpf_get_current_pid_tgid() >> 32 != targ_pid)
		return 0;
	r = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
	id = r < 0 ? 0 : r;
	n = bpf_map_lookup_elem(&opens_by_stack, &id);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&opens_by_stack, &id, &one, BPF_NOEXIST);
	return 0;
}
