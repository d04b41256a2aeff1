// Workshop exercise C3 (solution, BCC dialect): count file opens per
// process in a hash map; `run` prints the map when it stops.

struct key_t {
    u32 pid;                 // the process id (tgid): the upper half
    char comm[TASK_COMM_LEN];
};

BPF_HASH(counts, struct key_t, u64);

TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
    struct key_t key = {};

    key.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    counts.increment(key);   // BCC: look up, insert 0 if missing, add 1
    return 0;
}
