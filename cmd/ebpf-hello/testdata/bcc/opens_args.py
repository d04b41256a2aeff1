#!/usr/bin/python3
# Opens, by process: a BCC tool's shape, with options, an error branch and
# an --ebpf switch that prints the C and stops.
import argparse
import sys
from bcc import BPF

parser = argparse.ArgumentParser(description="Trace openat() calls")
parser.add_argument("-p", "--pid", type=int, help="trace this process only")
parser.add_argument("-n", "--name", help="only commands containing this")
parser.add_argument("--ebpf", action="store_true", help=argparse.SUPPRESS)
args = parser.parse_args()
if args.name and len(args.name) > 15:
    print("error: a command name has at most 15 characters")
    sys.exit(1)

text = """
struct open_t { u32 pid; char comm[16]; char file[64]; };
BPF_PERF_OUTPUT(opens);
TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    struct open_t o = {};
    o.pid = bpf_get_current_pid_tgid() >> 32;
    PID_FILTER
    bpf_get_current_comm(&o.comm, sizeof(o.comm));
    bpf_probe_read_user_str(&o.file, sizeof(o.file), args->filename);
    opens.perf_submit(args, &o, sizeof(o));
    return 0;
}
"""
if args.pid:
    text = text.replace("PID_FILTER", "if (o.pid != %d) { return 0; }" % args.pid)
else:
    text = text.replace("PID_FILTER", "")
if args.ebpf:
    print(text)
    exit()

b = BPF(text=text)
print("%-7s %-16s %s" % ("PID", "COMM", "FILE"))


def show(cpu, data, size):
    o = b["opens"].event(data)
    print("%-7d %-16s %s" % (o.pid, o.comm.decode(), o.file.decode()))


b["opens"].open_perf_buffer(show)
while True:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        exit()
