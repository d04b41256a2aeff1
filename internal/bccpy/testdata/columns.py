#!/usr/bin/env python3
# Test script (the project's own): a tool's way of printing rows, as BCC's
# tools print them: optional columns under `if args.X:` with end="" (and
# bcc.utils.printb's nl=""), the PID and thread ID taken out of
# bpf_get_current_pid_tgid()'s value with >> and &, an `x if args.tid else
# y`, bcc.containers' filter, and BPF.support_kfunc() deciding the hooks.
import argparse
from bcc import BPF
from bcc.containers import filter_by_containers
from bcc.utils import printb

parser = argparse.ArgumentParser()
parser.add_argument("-T", "--timestamp", action="store_true")
parser.add_argument("-U", "--print-uid", action="store_true")
parser.add_argument("--tid", action="store_true")
parser.add_argument("--cgroupmap")
parser.add_argument("--mntnsmap")
args = parser.parse_args()

text = """
struct data_t { u64 id; u32 uid; int ret; u64 ts; char comm[16]; };
BPF_PERF_OUTPUT(events);
int trace_entry(struct pt_regs *ctx) {
    struct data_t data = {};
    if (container_should_be_filtered()) { return 0; }
    data.id = bpf_get_current_pid_tgid();
    events.perf_submit(ctx, &data, sizeof(data));
    return 0;
}
"""
text = filter_by_containers(args) + text

b = BPF(text=text)
if not BPF.support_kfunc():
    b.attach_kprobe(event=b.get_syscall_prefix().decode() + "openat", fn_name="trace_entry")

start = 0


def show(cpu, data, size):
    global start
    event = b["events"].event(data)
    if start == 0:
        start = event.ts
    if args.timestamp:
        print("%-9.3f" % ((event.ts - start) / 1e9), end="")
    if args.print_uid:
        print("%-6d" % event.uid, end="")
    printb(b"%-7d %-16s " % (event.id & 0xffffffff if args.tid else event.id >> 32, event.comm), nl="")
    print("%d" % event.ret)


b["events"].open_perf_buffer(show)
while 1:
    b.perf_buffer_poll()
