#!/usr/bin/env python3
# run test: the older map.lookup_or_init(&key, &zero), as BCC's swapin and
# other tools still write it, its result used with no NULL check: BCC
# returns 0 from the function when even the new entry cannot be found, so
# the verifier accepts it.
from bcc import BPF
from time import sleep

b = BPF(text="""
BPF_HASH(counts, u32, u64);

int count_openat(void *ctx) {
    u64 *val, zero = 0;
    u32 pid = bpf_get_current_pid_tgid() >> 32;

    val = counts.lookup_or_init(&pid, &zero);
    ++(*val);
    return 0;
}
""")
b.attach_tracepoint(tp="syscalls:sys_enter_openat", fn_name="count_openat")
try:
    sleep(99999999)
except KeyboardInterrupt:
    pass
for k, v in b["counts"].items():
    print("%d %d" % (k.value, v.value))
