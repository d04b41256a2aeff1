// run test: a sampling profiler in libbpf-bootstrap's shape: each sample
// is an event carrying its stacks as addresses (bpf_get_stack), with their
// lengths in bytes; run shows them as functions.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_FRAMES 64

const volatile __u32 targ_pid = 0;

struct stack_sample {
	__u32 pid;
	__u32 cpu;
	char comm[16];
	__s32 kstack_sz;
	__s32 ustack_sz;
	__u64 kstack[MAX_FRAMES];
	__u64 ustack[MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} samples SEC(".maps");

SEC("perf_event")
int on_sample(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct stack_sample *s;

	if (targ_pid && pid != targ_pid)
		return 0;
	s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
	if (!s)
		return 0;
	s->pid = pid;
	s->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	s->kstack_sz = bpf_get_stack(ctx, s->kstack, sizeof(s->kstack), 0);
	s->ustack_sz = bpf_get_stack(ctx, s->ustack, sizeof(s->ustack), BPF_F_USER_STACK);
	bpf_ringbuf_submit(s, 0);
	return 0;
}
