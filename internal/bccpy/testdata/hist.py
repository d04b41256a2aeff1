#!/usr/bin/python3
# a latency histogram every interval, with text substitutions
from __future__ import print_function
from bcc import BPF
from time import sleep, strftime
import argparse

parser = argparse.ArgumentParser(description="Summarize read latency")
parser.add_argument("-p", "--pid", help="trace this PID only")
parser.add_argument("interval", nargs="?", default=5)
args = parser.parse_args()

bpf_text = """
#include <uapi/linux/ptrace.h>
BPF_HASH(start, u32);
BPF_HISTOGRAM(dist);

int do_entry(struct pt_regs *ctx) {
    u32 pid = bpf_get_current_pid_tgid();
    FILTER
    u64 ts = bpf_ktime_get_ns();
    start.update(&pid, &ts);
    return 0;
}

int do_return(struct pt_regs *ctx) {
    u32 pid = bpf_get_current_pid_tgid();
    u64 *tsp = start.lookup(&pid);
    if (tsp == 0)
        return 0;
    dist.increment(bpf_log2l((bpf_ktime_get_ns() - *tsp) / UNIT));
    start.delete(&pid);
    return 0;
}
"""
if args.pid:
    bpf_text = bpf_text.replace('FILTER', 'if (pid != %s) { return 0; }' % args.pid)
else:
    bpf_text = bpf_text.replace('FILTER', '')
bpf_text = bpf_text.replace("UNIT", "1000")
b = BPF(text=bpf_text)
b.attach_kprobe(event="vfs_read", fn_name="do_entry")
b.attach_kretprobe(event="vfs_read", fn_name="do_return")

print("Tracing... Hit Ctrl-C to end.")
interval = 2
dist = b.get_table("dist")
while (1):
    try:
        sleep(interval)
    except KeyboardInterrupt:
        exit()
    print()
    print("%-8s\n" % strftime("%H:%M:%S"), end="")
    dist.print_log2_hist("usecs")
    dist.clear()
