// BPF_HASH with .lookup/.update/.increment/.delete: syscalls per process.
// run: ebpf-hello run count_hash.c
#include <uapi/linux/ptrace.h>

BPF_HASH(counts, u32);               // u32 -> u64, 10240 entries: BCC's defaults
BPF_HASH(seen, u32, u64, 1024);
BPF_ARRAY(config, u32, 1);           // "config" is also a type in vmlinux.h

TRACEPOINT_PROBE(raw_syscalls, sys_enter)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    u32 zero = 0;
    u32 *want = config.lookup(&zero);

    if (want && *want && *want != pid)
        return 0;
    counts.increment(pid);
    u64 *n = seen.lookup(&pid);
    if (!n) {
        u64 one = 1;
        seen.update(&pid, &one);
    } else if (*n > 1000) {
        seen.delete(&pid);
    }
    return 0;
}
