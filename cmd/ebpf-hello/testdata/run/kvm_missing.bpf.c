// run test (make vmtest): a tracepoint whose category a module provides
// (kvm) on a kernel where that module is not loaded: run must say the
// category is missing, not blame CONFIG_FTRACE_SYSCALLS.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/kvm/kvm_exit")
int kvm_exit_seen(void *ctx)
{
	return 0;
}
