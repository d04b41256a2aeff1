// run test: a uprobe on libc's strlen (an IFUNC: run probes the
// implementation glibc picked) sending events through a perf event array
// (struct event: found by its usual name, kept in the BTF by a typed
// global, as clang leaves out structs used only as local variables); only
// the command targ_comm.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char targ_comm[16] = {};

struct event {
	__u32 pid;
	char comm[16];
};
struct event _event = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("uprobe/libc.so.6:strlen")
int run_perf_strlen(void *ctx)
{
	struct event e = {};

	bpf_get_current_comm(e.comm, sizeof(e.comm));
	for (int i = 0; i < 16; i++) {
		if (e.comm[i] != targ_comm[i])
			return 0;
		if (!e.comm[i])
			break;
	}
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
