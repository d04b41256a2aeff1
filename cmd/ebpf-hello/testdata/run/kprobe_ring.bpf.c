// run test (make vmtest: needs kprobes): a kprobe sends one event per
// open by command targ_comm through a ring buffer, and a kretprobe counts
// that command's successful opens per process in a hash map.
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
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* pid -> successful opens */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} opens SEC(".maps");

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

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(run_kprobe_open, int dfd, const char *filename)
{
	struct open_event *e;

	if (!is_target())
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->file, sizeof(e->file), filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* do_sys_openat2 returns long before 6.16 and int since: the low 32 bits
 * are the result either way. */
SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(run_kretprobe_open, int ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n;

	if (ret < 0 || !is_target())
		return 0;
	n = bpf_map_lookup_elem(&opens, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&opens, &pid, &one, BPF_NOEXIST);
	return 0;
}
