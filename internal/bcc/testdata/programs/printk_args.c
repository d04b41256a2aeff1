// printk with arguments from a tracepoint: who opens what.
// run: ebpf-hello run printk_args.c
#include <linux/sched.h>

TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    char comm[TASK_COMM_LEN];

    bpf_get_current_comm(&comm, sizeof(comm));
    bpf_trace_printk("openat pid=%d comm=%s flags=%d", pid, comm, args->flags);
    return 0;
}
