// run test: as libbpf-tools write their events, the struct is only a local
// variable sent through a perf event array: no marker, so it is not in the
// object's BTF and run finds it in the object's DWARF (clang -g).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char targ_comm[16] = {};

struct event {
	__u64 ts;
	__u32 pid;
	int flags;
	char comm[16];
	char file[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int run_local_event(struct trace_event_raw_sys_enter *ctx)
{
	struct event e = {};
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < 16; i++) {
		if (comm[i] != targ_comm[i])
			return 0;
		if (!comm[i])
			break;
	}
	e.ts = bpf_ktime_get_ns();
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.flags = (int)ctx->args[2];
	__builtin_memcpy(e.comm, comm, sizeof(comm));
	bpf_probe_read_user_str(e.file, sizeof(e.file), (const char *)ctx->args[1]);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
