// run test: one large event per openat(2) of the command targ_comm through
// a perf event array, to flood a small buffer: every open must be either
// shown or counted as lost.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char targ_comm[16] = {};

struct flood_event {
	__u64 ts;
	__u32 pid;
	char comm[16];
	char file[256];
};
const struct flood_event *unused_events __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static __always_inline bool is_target(const char *comm)
{
	for (int i = 0; i < 16; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int run_flood_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct flood_event e = {};

	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (!is_target(e.comm))
		return 0;
	e.ts = bpf_ktime_get_ns();
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e.file, sizeof(e.file), (const char *)ctx->args[1]);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
