#!/usr/bin/python3
# Reads of /dev/urandom, from a tracepoint older kernels had (gone since 5.18).
from bcc import BPF

b = BPF(text="""
int on_read(void *ctx) {
    bpf_trace_printk("urandom read\\n");
    return 0;
}
""")
b.attach_tracepoint(tp="random:urandom_read", fn_name="on_read")
b.trace_print()
