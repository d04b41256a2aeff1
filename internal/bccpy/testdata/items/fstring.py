#!/usr/bin/env python3
# Opens per process every second, with f-strings, by pid; the map is
# emptied after each print.
from bcc import BPF
import time

b = BPF(src_file="opens.c")
counts = b.get_table("counts")
while True:
    try:
        time.sleep(1)
    except KeyboardInterrupt:
        break
    print(f"{'COMM':<16} {'PID':>7} {'OPENS':>6}")
    for k, v in sorted(counts.items(), key=lambda kv: kv[0].pid):
        print(f"{k.comm.decode():<16} {k.pid:>7} {v.value:>6}")
    counts.clear()
