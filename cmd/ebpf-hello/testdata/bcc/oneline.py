#!/usr/bin/python3
# BCC's first lesson, in one line: the program inline, its object never named.
from bcc import BPF
BPF(text='int kprobe__sys_clone(void *ctx) { bpf_trace_printk("a task was cloned\\n"); return 0; }').trace_print()
