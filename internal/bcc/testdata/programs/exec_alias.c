// Local aliases of a tracepoint's user array, of its user pointer and of
// kernel pointers: each read as the direct use would be.
// run: ebpf-hello run exec_alias.c
#include <linux/sched.h>

struct exec_t {
    u32 pid;
    u32 ppid;
    char file[64];
    char arg0[32];
    char arg1[32];
};

BPF_PERF_OUTPUT(execs);

TRACEPOINT_PROBE(syscalls, sys_enter_execve)
{
    struct exec_t e = {};
    const char **argv = (const char **)(args->argv);    // an alias of the user array
    const char *file = args->filename;                  // an alias of a user pointer
    struct task_struct *me = (struct task_struct *)bpf_get_current_task(), *up;
    const char *second;

    up = me->real_parent;                               // a second declarator
    e.pid = bpf_get_current_pid_tgid() >> 32;
    e.ppid = up->tgid;
    bpf_probe_read(&e.file, sizeof(e.file), file);
    bpf_probe_read_user_str(&e.arg0, sizeof(e.arg0), argv[0]);
    second = argv[1];
    if (second)
        bpf_probe_read_user_str(&e.arg1, sizeof(e.arg1), second);
    execs.perf_submit(args, &e, sizeof(e));
    return 0;
}
