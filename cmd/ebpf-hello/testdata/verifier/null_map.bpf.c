// Counts opens per process, but uses the map value without checking it.
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
	u64 *n = bpf_map_lookup_elem(&opens, &pid);
	*n += 1; /* FAULT: no NULL check */
	return 0;
}
