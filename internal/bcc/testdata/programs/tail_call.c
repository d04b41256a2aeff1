// BPF_PROG_ARRAY and .call: a tail call (the slot is empty unless filled, so the
// program goes on), plus a raw tracepoint.
// run: ebpf-hello run tail_call.c
BPF_PROG_ARRAY(jump, 4);
BPF_ARRAY(calls, u64, 1);

RAW_TRACEPOINT_PROBE(sys_enter)
{
    int zero = 0;
    u64 *n = calls.lookup(&zero);

    jump.call(ctx, 0);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}
