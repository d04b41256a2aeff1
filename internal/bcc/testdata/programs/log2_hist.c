// BPF_HISTOGRAM with bpf_log2l: the sizes read(2) returns.
// run: ebpf-hello run log2_hist.c
BPF_HISTOGRAM(dist);

TRACEPOINT_PROBE(syscalls, sys_exit_read)
{
    if (args->ret > 0)
        dist.increment(bpf_log2l(args->ret));
    return 0;
}
