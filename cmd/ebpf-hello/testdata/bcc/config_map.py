#!/usr/bin/python3
# A switch the script turns on from Python before tracing: the program
# reports opens only once config[0] is 1.
import ctypes as ct
from bcc import BPF

b = BPF(text="""
struct open_t { u32 pid; char comm[16]; };
BPF_ARRAY(config, u32, 1);
BPF_PERF_OUTPUT(opens);

TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    int zero = 0;
    u32 *on = config.lookup(&zero);
    if (!on || *on != 1)
        return 0;
    struct open_t o = {};
    o.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&o.comm, sizeof(o.comm));
    opens.perf_submit(args, &o, sizeof(o));
    return 0;
}
""")
b["config"][ct.c_int(0)] = ct.c_uint(1)
print("%-7s %s" % ("PID", "COMM"))


def show(cpu, data, size):
    o = b["opens"].event(data)
    print("%-7d %s" % (o.pid, o.comm.decode()))


b["opens"].open_perf_buffer(show)
while True:
    b.perf_buffer_poll()
