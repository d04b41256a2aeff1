#!/usr/bin/python3
# Signals as they are generated, or (-k) only those kill() sends: the
# script attaches one of its two programs, as the option says.
import argparse
from bcc import BPF

parser = argparse.ArgumentParser(description="Trace signals")
parser.add_argument("-k", "--kill", action="store_true", help="only signals sent by kill()")
args = parser.parse_args()

b = BPF(text="""
struct sig_t { u32 pid; u32 tpid; int sig; char comm[16]; };
BPF_PERF_OUTPUT(sigs);

static int send(void *ctx, u32 tpid, int sig) {
    struct sig_t s = {};
    s.pid = bpf_get_current_pid_tgid() >> 32;
    s.tpid = tpid;
    s.sig = sig;
    bpf_get_current_comm(&s.comm, sizeof(s.comm));
    sigs.perf_submit(ctx, &s, sizeof(s));
    return 0;
}

int on_generate(struct tracepoint__signal__signal_generate *args) {
    return send(args, args->pid, args->sig);
}

int on_kill(struct tracepoint__syscalls__sys_enter_kill *args) {
    return send(args, args->pid, args->sig);
}
""")
if args.kill:
    b.attach_tracepoint(tp="syscalls:sys_enter_kill", fn_name="on_kill")
else:
    b.attach_tracepoint(tp="signal:signal_generate", fn_name="on_generate")

print("%-7s %-7s %-4s %s" % ("PID", "TPID", "SIG", "COMM"))


def show(cpu, data, size):
    s = b["sigs"].event(data)
    print("%-7d %-7d %-4d %s" % (s.pid, s.tpid, s.sig, s.comm.decode()))


b["sigs"].open_perf_buffer(show)
while True:
    b.perf_buffer_poll()
