// run test: one large event per openat(2) of the command targ_comm through
// a one-page ring buffer, to flood it: every open must be either shown or
// counted as lost (run's compiler counts failed reserves).
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
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
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
int run_ring_flood_openat(struct trace_event_raw_sys_enter *ctx)
{
	char comm[16];
	struct flood_event *e;

	bpf_get_current_comm(comm, sizeof(comm));
	if (!is_target(comm))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	bpf_probe_read_user_str(e->file, sizeof(e->file), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
