// run test: results kept in plain globals (.bss, .data), as libbpf-tools'
// softirqs keeps counts[] and its loader prints them from the skeleton;
// my_pid is a setting the loader writes and the program only reads.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u32 my_pid = 0;		/* .bss, set with --set: not a result */
__u64 opens = 0;		/* .bss: a counter */
__u64 by_cpu[2] = {};		/* .bss: an array of counters */
__u64 calls_seen = 1000;	/* .data: starts at 1000 */
struct {
	__u32 pid;
	char comm[16];
} last = {};			/* .bss: a struct written whole */

SEC("tracepoint/syscalls/sys_enter_openat")
int count_openat(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (pid != my_pid)
		return 0;
	__sync_fetch_and_add(&opens, 1);
	__sync_fetch_and_add(&by_cpu[bpf_get_smp_processor_id() & 1], 1);
	__sync_fetch_and_add(&calls_seen, 1);
	last.pid = pid;
	bpf_get_current_comm(last.comm, sizeof(last.comm));
	return 0;
}
