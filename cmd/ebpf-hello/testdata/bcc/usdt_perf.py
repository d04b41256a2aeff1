#!/usr/bin/env python3
# run test: BCC's USDT tracing of one process, as BCC's USDT examples do:
# USDT(pid=...) names the process (its PID is the script's argument),
# enable_probe names the probe without its provider, and the program reads
# the probe's arguments with bpf_usdt_readarg and bpf_usdt_readarg_p.
# The probe is testdata/usdt/ticker.c's ehtest:tick (a line number and a
# word).
from bcc import BPF, USDT
import sys

if len(sys.argv) < 2:
    print("usage: usdt_perf.py PID")
    exit()
pid = sys.argv[1]

program = """
#include <uapi/linux/ptrace.h>

struct tick_t {
    u32 pid;
    u64 n;
    char word[16];
};
BPF_PERF_OUTPUT(ticks);

int on_tick(struct pt_regs *ctx) {
    struct tick_t tick = {};

    tick.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_usdt_readarg(1, ctx, &tick.n);
    bpf_usdt_readarg_p(2, ctx, &tick.word, sizeof(tick.word));
    ticks.perf_submit(ctx, &tick, sizeof(tick));
    return 0;
}
"""

u = USDT(pid=int(pid))
u.enable_probe(probe="tick", fn_name="on_tick")
b = BPF(text=program, usdt_contexts=[u])

print("%-8s %-4s %s" % ("PID", "N", "WORD"))


def show(cpu, data, size):
    tick = b["ticks"].event(data)
    print("%-8d %-4d %s" % (tick.pid, tick.n, tick.word.decode()))


b["ticks"].open_perf_buffer(show)
while 1:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        exit()
