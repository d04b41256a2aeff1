// kprobe__ and kretprobe__ on an internal kernel function, CO-RE reads through
// a typed struct pointer, PT_REGS_RC, BPF_STACK_TRACE and lookup_or_try_init.
// On kernels without kprobes this cannot run: there is no tracepoint for vfs_read.
// run: ebpf-hello run kprobe_internal.c
#include <uapi/linux/ptrace.h>
#include <linux/fs.h>

BPF_HASH(bytes, u32, u64);
BPF_HASH(inflight, u32, struct file *);
BPF_STACK_TRACE(stacks, 1024);
BPF_HASH(stack_counts, int, u64);

int kprobe__vfs_read(struct pt_regs *ctx, struct file *file, char __user *buf, size_t count)
{
    u32 tid = bpf_get_current_pid_tgid();
    u64 zero = 0;
    int id = stacks.get_stackid(ctx, 0);
    u64 *n;

    if (file->f_inode->i_ino == 0)
        return 0;
    inflight.update(&tid, &file);
    if (id >= 0) {
        n = stack_counts.lookup_or_try_init(&id, &zero);
        if (n)
            lock_xadd(n, 1);
    }
    return 0;
}

int kretprobe__vfs_read(struct pt_regs *ctx)
{
    u32 tid = bpf_get_current_pid_tgid();
    long ret = PT_REGS_RC(ctx);

    inflight.delete(&tid);
    if (ret > 0)
        bytes.increment(tid >> 0, ret);
    return 0;
}
