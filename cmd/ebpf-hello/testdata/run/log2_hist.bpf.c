// run test: a log2 histogram of the openat(2) flags of process targ_pid
// (O_RDONLY|O_CLOEXEC = 0x80000: slot 20), printed at exit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} flags_hist SEC(".maps");

static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < 64 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("tp/syscalls/sys_enter_openat")
int run_hist_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 slot;
	__u64 *count;

	if (bpf_get_current_pid_tgid() >> 32 != targ_pid)
		return 0;
	slot = log2l(ctx->args[2]) + 1; /* BCC's layout: slot 0 is the value 0 */
	count = bpf_map_lookup_elem(&flags_hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
