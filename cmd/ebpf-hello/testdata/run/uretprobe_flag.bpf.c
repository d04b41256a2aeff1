// run test: a uretprobe whose SEC() names no binary, as libbpf-tools'
// bashreadline writes it (its loader finds the binary): run attaches it
// where --uretprobe LIB:SYM=PROG says. It sends what getenv(3) returned,
// for the command targ_comm only.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char targ_comm[16] = {};

struct event {
	__u32 pid;
	char comm[16];
	char value[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("uretprobe")
int BPF_KRETPROBE(getenv_returned, const char *value)
{
	struct event e = {};

	if (!value)
		return 0;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	for (int i = 0; i < 16; i++) {
		if (e.comm[i] != targ_comm[i])
			return 0;
		if (!e.comm[i])
			break;
	}
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e.value, sizeof(e.value), value);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
