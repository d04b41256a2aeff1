// Counts file opens per process: the BPF side of the items() loop scripts
// next to it (ebpf-hello's own test programs).
struct key_t {
    u32 pid;                  // the process id (tgid)
    char comm[TASK_COMM_LEN];
};

BPF_HASH(counts, struct key_t, u64);

TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
    struct key_t key = {};

    key.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    counts.increment(key);
    return 0;
}
