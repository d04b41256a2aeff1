#!/usr/bin/python3
# A uprobe on a function libc does not have.
from bcc import BPF

b = BPF(text="""
int on_call(struct pt_regs *ctx) {
    bpf_trace_printk("called\\n");
    return 0;
}
""")
b.attach_uprobe(name="c", sym="no_such_function_here", fn_name="on_call")
b.trace_print()
