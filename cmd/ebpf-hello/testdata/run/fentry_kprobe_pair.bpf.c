// run test: libbpf-tools' pair on a kernel function, fentry and its kprobe
// twin, of which a loader attaches one. Where neither can attach, run's
// error names each with its own reason.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 reads = 0;

SEC("fentry/vfs_read")
int BPF_PROG(fentry_read)
{
	__sync_fetch_and_add(&reads, 1);
	return 0;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(kprobe_read)
{
	__sync_fetch_and_add(&reads, 1);
	return 0;
}
