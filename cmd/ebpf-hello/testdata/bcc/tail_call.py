#!/usr/bin/python3
# A tail call the script sets up: the openat tracepoint jumps to on_open,
# a program loaded from Python and put into slot 3 of a program array.
import ctypes as ct
from bcc import BPF

b = BPF(text="""
BPF_PROG_ARRAY(jumps, 4);

int on_open(struct tracepoint__syscalls__sys_enter_openat *args) {
    bpf_trace_printk("tail-called for pid %d\\n", bpf_get_current_pid_tgid() >> 32);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    jumps.call(args, 3);
    return 0;
}
""")
fn = b.load_func("on_open", BPF.TRACEPOINT)
b["jumps"][ct.c_int(3)] = ct.c_int(fn.fd)
b.trace_print()
