// Remembers each process's name, passing the map value to a helper unchecked.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, char[16]);
} names SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int remember_name(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	char *name = bpf_map_lookup_elem(&names, &pid);
	bpf_get_current_comm(name, 16); /* FAULT: name may be NULL */
	return 0;
}
