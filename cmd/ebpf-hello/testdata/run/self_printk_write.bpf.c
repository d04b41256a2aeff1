// run test: a hello world on every write(2), with no PID filter. Each line
// run prints is a write of its own, which would fire this again: run must
// not show (and so not feed on) what its own threads caused.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_write")
int self_printk_write(struct trace_event_raw_sys_enter *ctx)
{
	bpf_printk("write to fd %d", (int)ctx->args[0]);
	return 0;
}
