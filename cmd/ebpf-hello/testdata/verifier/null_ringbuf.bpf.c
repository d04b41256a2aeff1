// Sends one event per open through a ring buffer, without checking the reserve.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event {
	u32 pid;
};
const struct event *unused_event __attribute__((unused));

SEC("tracepoint/syscalls/sys_enter_openat")
int send_open(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	e->pid = bpf_get_current_pid_tgid() >> 32; /* FAULT: e may be NULL */
	bpf_ringbuf_submit(e, 0);
	return 0;
}
