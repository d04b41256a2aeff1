// Counts opens per process, passing the key's value where its address belongs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} opens SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_opens(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 one = 1;
	bpf_map_update_elem(&opens, (void *)(long)pid, &one, BPF_ANY); /* FAULT: &pid */
	return 0;
}
