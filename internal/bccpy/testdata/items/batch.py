#!/usr/bin/env python3
# Opens per process every 2 s, read and emptied with one batch call,
# busiest first through reversed(); the titles after a blank line.
from bcc import BPF
from time import sleep

b = BPF(src_file="opens.c")
counts = b["counts"]
while 1:
    sleep(2)
    print()
    print("%-16s %-7s %s" % ("COMM", "PID", "OPENS"))
    for k, v in reversed(sorted(counts.items_lookup_and_delete_batch(), key=lambda kv: kv[1].value)):
        printb(b"%-16s %-7d %d" % (k.comm, k.pid, v.value))
