// run test: a libbpf-tools-style object with a program for a kernel
// function this kernel does not have (upstream ships one per kernel
// version's name, e.g. kmem_cache_alloc and kmem_cache_alloc_noprof, and
// its loader leaves out the ones whose function is missing), beside a
// program that attaches everywhere.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 opens = 0;

SEC("fentry/ebpf_hello_no_such_function")
int BPF_PROG(on_missing)
{
	__sync_fetch_and_add(&opens, 1000000);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(void *ctx)
{
	__sync_fetch_and_add(&opens, 1);
	return 0;
}
