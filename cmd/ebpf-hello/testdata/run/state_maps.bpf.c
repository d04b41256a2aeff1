// run test: maps that hold the program's state, as libbpf-tools keep it:
// start times of reads in flight (deleted at the exit), and a one-slot
// per-CPU scratch buffer. Only counts, a result, is printed at exit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_pid = 0;

struct scratch {
	char buf[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int state_enter(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ts = bpf_ktime_get_ns();
	__u32 tid = pid_tgid, zero = 0;
	struct scratch *s;

	if (pid_tgid >> 32 != targ_pid)
		return 0;
	s = bpf_map_lookup_elem(&heap, &zero);
	if (s)
		bpf_get_current_comm(s->buf, 16);
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int state_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), one = 1, *n;
	__u32 tid = pid_tgid, key = 0;

	if (!bpf_map_lookup_elem(&start, &tid))
		return 0;
	bpf_map_delete_elem(&start, &tid);
	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}
