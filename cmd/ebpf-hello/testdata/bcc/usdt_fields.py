#!/usr/bin/env python3
# run test: a USDT probe named with its provider ("ehtest:tick"), its
# string argument read through the address bpf_usdt_readarg gives, and
# printed through trace_fields(), as BCC's query-tracing examples do.
from bcc import BPF, USDT
import sys

if len(sys.argv) < 2:
    print("usage: usdt_fields.py PID")
    exit()

text = """
#include <uapi/linux/ptrace.h>
int word_of_tick(struct pt_regs *ctx) {
    uint64_t addr;
    char word[32] = {0};
    bpf_usdt_readarg(2, ctx, &addr);
    bpf_probe_read_user(&word, sizeof(word), (void *)addr);
    bpf_trace_printk("tick word:%s\\n", word);
    return 0;
};
"""

u = USDT(pid=int(sys.argv[1]))
u.enable_probe(probe="ehtest:tick", fn_name="word_of_tick")
b = BPF(text=text, usdt_contexts=[u])

print("%-18s %-16s %-6s %s" % ("TIME(s)", "COMM", "PID", "WORD"))
while 1:
    try:
        (task, pid, cpu, flags, ts, msg) = b.trace_fields()
    except ValueError:
        continue
    except KeyboardInterrupt:
        exit()
    print("%-18.9f %-16s %-6d %s" % (ts, task.decode(), pid, msg.decode()))
