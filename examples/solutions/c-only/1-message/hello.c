int hello_world(void *ctx)
{
    bpf_trace_printk("Hello, eBPF workshop!");
    return 0;
}
