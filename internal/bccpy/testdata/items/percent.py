#!/usr/bin/env python3
# Opens per process, printed at Ctrl-C with a %-format, busiest first.
from bcc import BPF
from time import sleep

b = BPF(src_file="opens.c")
print("Counting opens... Hit Ctrl-C to end.")
try:
    sleep(99999999)
except KeyboardInterrupt:
    pass

print("%-7s %-16s %6s" % ("PID", "COMM", "OPENS"))
for k, v in sorted(b["counts"].items(), key=lambda kv: kv[1].value, reverse=True):
    print("%-7d %-16s %6d" % (k.pid, k.comm.decode("utf-8", "replace"), v.value))
