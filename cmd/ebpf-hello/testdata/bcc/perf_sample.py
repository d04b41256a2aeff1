#!/usr/bin/env python3
# run test: a profiler's sampling as BCC's tools start it: attach_perf_event
# with the cpu-clock software event at a sample frequency; each sample
# counts in a per-CPU-summed array, printed at exit.
from bcc import BPF, PerfType, PerfSWConfig
from time import sleep

text = """
#include <uapi/linux/bpf_perf_event.h>
BPF_ARRAY(samples, u64, 1);

int on_sample(struct bpf_perf_event_data *ctx) {
    int zero = 0;
    u64 *n = samples.lookup(&zero);
    if (n)
        lock_xadd(n, 1);
    return 0;
}
"""

b = BPF(text=text)
b.attach_perf_event(ev_type=PerfType.SOFTWARE, ev_config=PerfSWConfig.CPU_CLOCK,
                    fn_name="on_sample", sample_period=0, sample_freq=99)
try:
    sleep(99999999)
except KeyboardInterrupt:
    pass
print("samples: %d" % b["samples"][0].value)
