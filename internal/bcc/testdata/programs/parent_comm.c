// A kernel pointer chain as an address, BCC's way (execsnoop's pcomm):
// task->real_parent->comm given to a probe read. The last arrow only adds
// an offset; real_parent is a pointer loaded from kernel memory, so it is
// read.
// run: ebpf-hello run parent_comm.c --tracepoint sched:sched_process_exec=on_exec
#include <linux/sched.h>

struct data_t {
    u32 ppid;
    char pcomm[TASK_COMM_LEN];
};
BPF_PERF_OUTPUT(events);

int on_exec(void *ctx) {
    struct data_t data = {};
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();

    data.ppid = task->real_parent->tgid;
    bpf_probe_read_kernel_str(&data.pcomm, sizeof(data.pcomm), task->real_parent->comm);
    events.perf_submit(ctx, &data, sizeof(data));
    return 0;
}
