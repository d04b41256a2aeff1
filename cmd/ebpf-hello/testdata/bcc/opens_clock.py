#!/usr/bin/python3
# Opens with the time of day, as a readline snooper prints its lines: the
# callback's first column is strftime("%H:%M:%S").
from time import strftime
from bcc import BPF

b = BPF(text="""
struct open_t { u32 pid; char comm[16]; };
BPF_PERF_OUTPUT(opens);
TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    struct open_t o = {};
    o.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&o.comm, sizeof(o.comm));
    opens.perf_submit(args, &o, sizeof(o));
    return 0;
}
""")
print("%-9s %-7s %s" % ("TIME", "PID", "COMM"))


def show(cpu, data, size):
    e = b["opens"].event(data)
    print("%-9s %-7d %s" % (strftime("%H:%M:%S"), e.pid, e.comm.decode('utf-8', 'replace')))


b["opens"].open_perf_buffer(show)
while 1:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        exit()
