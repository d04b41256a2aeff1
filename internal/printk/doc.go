// Package printk runs `ebpf-hello printk`: the tutorial's first program.
// hello.bpf.c calls bpf_trace_printk("Hello, World!") on every file open; this
// package loads it, then reads the kernel's trace_pipe and prints the lines,
// raw or split into the fields the tutorial explains.
package printk
