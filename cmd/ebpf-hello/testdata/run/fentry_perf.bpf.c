// run test (make vmtest: needs fentry): fentry sends one event per open by
// command targ_comm through a perf event array, and fexit makes a log2
// histogram of the file descriptors that command's opens return.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char targ_comm[16] = {};

struct open_event {
	__u32 pid;
	char comm[16];
	char file[128];
};
const struct open_event *unused_events __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* slot k counts file descriptors in [2^(k-1), 2^k): BCC's layout */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} fd_hist SEC(".maps");

static __always_inline bool is_target(void)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < 16; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

SEC("fentry/do_sys_openat2")
int BPF_PROG(run_fentry_open, int dfd, const char *filename)
{
	struct open_event e = {};

	if (!is_target())
		return 0;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(e.file, sizeof(e.file), filename);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/* The return value follows the arguments; do_sys_openat2 returns long
 * before 6.16 and int since: the low 32 bits are the result either way. */
SEC("fexit/do_sys_openat2")
int BPF_PROG(run_fexit_open, int dfd, const char *filename, struct open_how *how, int ret)
{
	__u32 slot = 0;
	__u64 *n;

	if (ret < 0 || !is_target())
		return 0;
	for (__u32 v = ret; v > 0 && slot < 31; v >>= 1)
		slot++;
	n = bpf_map_lookup_elem(&fd_hist, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
