// BPF_RINGBUF_OUTPUT with ringbuf_reserve/ringbuf_submit and ringbuf_output.
// run: ebpf-hello run ringbuf.c
#include <linux/sched.h>

struct exec_event {
    u32 pid;
    u32 ppid;
    char comm[TASK_COMM_LEN];
};

BPF_RINGBUF_OUTPUT(execs, 8);

TRACEPOINT_PROBE(sched, sched_process_exec)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct exec_event *e = execs.ringbuf_reserve(sizeof(struct exec_event));

    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->ppid = task->real_parent->tgid;      // BCC reads kernel memory implicitly
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    execs.ringbuf_submit(e, 0);
    return 0;
}
