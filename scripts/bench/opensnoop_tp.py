#!/usr/bin/env python3
# make bench (issue 24): an opensnoop-style BCC script on the openat
# tracepoint (it runs where kprobes do not), for BCC itself and for
# `ebpf-hello run`, which reads this very file. Each open by a process
# called "ehbench" (the bench's opener) is an event through a perf buffer,
# printed as "PID COMM FILE".
from bcc import BPF

prog = r"""
struct event_t {
    u32 pid;
    char comm[16];
    char fname[256];
};
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    struct event_t e = {};
    char want[8] = "ehbench";

    bpf_get_current_comm(&e.comm, sizeof(e.comm));
#pragma unroll
    for (int i = 0; i < 8; i++) {
        if (e.comm[i] != want[i])
            return 0;
    }
    e.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_probe_read_user_str(&e.fname, sizeof(e.fname), args->filename);
    events.perf_submit(args, &e, sizeof(e));
    return 0;
}
"""

b = BPF(text=prog)


def show(cpu, data, size):
    e = b["events"].event(data)
    print("%d %s %s" % (e.pid, e.comm.decode(), e.fname.decode()))


b["events"].open_perf_buffer(show, page_cnt=4096)
while True:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        break
