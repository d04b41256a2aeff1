// A kprobe on a syscall with typed arguments, named as BCC's get_syscall_fnname does;
// on kernels without kprobes it runs on syscalls:sys_enter_execve.
// run: ebpf-hello run syscall_kprobe.c --kprobe sys_execve=syscall__execve
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

struct exec_t {
    u32 pid;
    char comm[TASK_COMM_LEN];
    char filename[128];
};

BPF_PERF_OUTPUT(events);

int syscall__execve(struct pt_regs *ctx, const char __user *filename,
                    const char __user *const __user *argv)
{
    struct exec_t e = {};

    e.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&e.comm, sizeof(e.comm));
    bpf_probe_read_str(&e.filename, sizeof(e.filename), filename);
    events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
