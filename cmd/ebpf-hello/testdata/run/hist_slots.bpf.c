// run test: a histogram shaped as libbpf-tools keep theirs: one value per
// key holding all its slots and the task's comm. The openat(2) flags of
// process targ_pid, log2 slots from 0 (O_RDONLY|O_CLOEXEC = 0x80000: slot
// 19), printed at exit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_SLOTS 26

struct hist {
	__u32 slots[MAX_SLOTS];
	char comm[16];
};

const volatile __u32 targ_pid = 0;
static struct hist initial_hist;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct hist);
} hists SEC(".maps");

static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < 64 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int run_hist_slots(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct hist *h;
	__u32 slot;

	if (pid != targ_pid)
		return 0;
	h = bpf_map_lookup_elem(&hists, &pid);
	if (!h) {
		bpf_map_update_elem(&hists, &pid, &initial_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &pid);
		if (!h)
			return 0;
		bpf_get_current_comm(h->comm, sizeof(h->comm));
	}
	slot = log2l(ctx->args[2]);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}
