// run test: one event with two programs, as libbpf-tools ship them: a
// tp_btf program and its raw_tp twin. A loader attaches one of the pair,
// whichever the kernel takes; attaching both would count each exec twice.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_ppid = 0;

/* key 1: execs seen by the tp_btf program, key 2: by the raw_tp one */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} execs_by SEC(".maps");

static __always_inline int count(struct task_struct *p, __u32 which)
{
	__u64 one = 1, *n;

	if (BPF_CORE_READ(p, real_parent, tgid) != targ_ppid)
		return 0;
	n = bpf_map_lookup_elem(&execs_by, &which);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&execs_by, &which, &one, BPF_NOEXIST);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p)
{
	return count(p, 1);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *p)
{
	return count(p, 2);
}
