// USDT arguments read BCC's way: bpf_usdt_readarg into a variable of the
// program's type, bpf_usdt_readarg_p into a buffer; an anonymous struct
// sent through perf output is named so run can print it.
// run: ebpf-hello run usdt_readarg.c --usdt /usr/local/bin/ticker:ehtest:tick=on_tick
#include <uapi/linux/ptrace.h>

BPF_PERF_OUTPUT(ticks);

int on_tick(struct pt_regs *ctx) {
    struct {
        u32 pid;
        s64 n;
        char word[16];
    } tick = {};

    tick.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_usdt_readarg(1, ctx, &tick.n);
    bpf_usdt_readarg_p(2, ctx, &tick.word, sizeof(tick.word));
    ticks.perf_submit(ctx, &tick, sizeof(tick));
    return 0;
}
