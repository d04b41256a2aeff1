// Counts into one of 8 slots of a map value, with an index that may reach 15.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64[8]);
} slots SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_slot(void *ctx)
{
	u32 zero = 0;
	u64 *slot = bpf_map_lookup_elem(&slots, &zero);
	if (!slot)
		return 0;
	u32 i = bpf_get_prandom_u32() & 15;
	slot[i] += 1; /* FAULT: i may be 8..15 */
	return 0;
}
