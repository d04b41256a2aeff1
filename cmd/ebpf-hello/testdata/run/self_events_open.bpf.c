// run test: an event per open, on two tracepoints with no PID filter.
// Attaching the second reads its tracefs id file: an open by run itself,
// caught by the first. run must not show its own opens.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	char comm[16];
	char file[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int send(const char *filename)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->file, sizeof(e->file), filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int self_openat(struct trace_event_raw_sys_enter *ctx)
{
	return send((const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int self_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return send((const char *)ctx->args[1]);
}
