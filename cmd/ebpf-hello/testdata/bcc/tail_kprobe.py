#!/usr/bin/python3
# A tail call from a kprobe on openat: where kprobes are missing, the
# caller runs on the openat tracepoint, and so must its slot program.
import ctypes as ct
from bcc import BPF

b = BPF(text="""
BPF_PROG_ARRAY(jumps, 2);

int on_tail(struct pt_regs *ctx) {
    bpf_trace_printk("tail-called from openat by %d\\n", bpf_get_current_pid_tgid() >> 32);
    return 0;
}

int on_openat(struct pt_regs *ctx) {
    jumps.call(ctx, 1);
    return 0;
}
""")
b.attach_kprobe(event=b.get_syscall_fnname("openat"), fn_name="on_openat")
tail = b.load_func("on_tail", BPF.KPROBE)
b["jumps"][ct.c_int(1)] = ct.c_int(tail.fd)
b.trace_print()
