// BPF_PERF_OUTPUT and a user array: the first argument of every execve.
// run: ebpf-hello run exec_args.c
#include <uapi/linux/ptrace.h>

struct arg_t {
    u32 pid;
    char comm[16];
    char arg1[64];
};

BPF_PERF_OUTPUT(args_out);

TRACEPOINT_PROBE(syscalls, sys_enter_execve)
{
    struct arg_t a = {};
    const char *p = args->argv[1];          // a user pointer read from a user array

    a.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&a.comm, sizeof(a.comm));
    if (p)
        bpf_probe_read_user_str(&a.arg1, sizeof(a.arg1), p);
    args_out.perf_submit(args, &a, sizeof(a));
    return 0;
}
