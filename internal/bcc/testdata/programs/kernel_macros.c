// The kernel's own helpers BCC programs use because BCC compiles against
// kernel headers: min_t, div_u64 and the time unit constants.
// run: ebpf-hello run kernel_macros.c --raw-tracepoint sched_switch=on_switch
BPF_ARRAY(slots, u64, 100);

int on_switch(void *ctx) {
    u64 ns = bpf_ktime_get_ns();
    size_t slot = min_t(size_t, div_u64(ns % NSEC_PER_SEC, 10 * NSEC_PER_MSEC), 99);
    int key = slot;
    u64 *count = slots.lookup(&key);
    if (count)
        lock_xadd(count, 1);
    return 0;
}
