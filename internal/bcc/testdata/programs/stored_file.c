// A kernel pointer kept in the program's own struct, in a map, and
// followed later (BCC's *slower tools: valp->fp->f_path.dentry): the
// map value is the program's memory, what fp points at is the kernel's.
// run: ebpf-hello run stored_file.c --kprobe vfs_read=trace_entry --kretprobe vfs_read=trace_return
#include <linux/fs.h>

struct val_t {
    u64 ts;
    struct file *fp;
};
BPF_HASH(entryinfo, u32, struct val_t);

int trace_entry(struct pt_regs *ctx, struct file *file) {
    u32 pid = bpf_get_current_pid_tgid();
    struct val_t val = {};

    val.ts = bpf_ktime_get_ns();
    val.fp = file;
    entryinfo.update(&pid, &val);
    return 0;
}

int trace_return(struct pt_regs *ctx) {
    u32 pid = bpf_get_current_pid_tgid();
    struct val_t *valp = entryinfo.lookup(&pid);

    if (valp == 0)
        return 0;
    struct dentry *de = valp->fp->f_path.dentry;
    bpf_trace_printk("name length %d\n", de->d_name.len);
    entryinfo.delete(&pid);
    return 0;
}
