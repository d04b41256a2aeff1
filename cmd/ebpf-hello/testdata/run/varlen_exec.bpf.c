// run test: a variable-length event, as execsnoop sends its own: a fixed
// header, then the arguments' strings one after the other in args[], and
// only the used part is sent (offsetof(args) + args_size).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define ARGSIZE 64
#define MAX_ARGS 8

const volatile __u32 targ_ppid = 0;

struct event {
	__u32 pid;
	int args_count;
	__u32 args_size;
	char comm[16];
	char args[ARGSIZE * MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int varlen_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const char **argv = (const char **)ctx->args[1];
	__u32 zero = 0;
	struct event *e;

	if (BPF_CORE_READ(task, real_parent, tgid) != targ_ppid)
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->args_count = 0;
	e->args_size = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	for (int i = 0; i < MAX_ARGS; i++) {
		const char *arg = NULL;
		long n;

		bpf_probe_read_user(&arg, sizeof(arg), &argv[i]);
		if (!arg || e->args_size > ARGSIZE * (MAX_ARGS - 1))
			break;
		n = bpf_probe_read_user_str(&e->args[e->args_size], ARGSIZE, arg);
		if (n <= 0)
			break;
		e->args_count++;
		e->args_size += n;
	}
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e,
			      offsetof(struct event, args) + (e->args_size & (ARGSIZE * MAX_ARGS - 1)));
	return 0;
}
