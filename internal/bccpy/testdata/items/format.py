#!/usr/bin/env python3
# Opens per process with str.format(): fields by position and by name; the
# ten busiest, quiet ones skipped, a time stamp first.
from bcc import BPF
from time import sleep, strftime

b = BPF(src_file="opens.c")
print("Tracing opens... Ctrl-C to end")
try:
    sleep(99999999)
except KeyboardInterrupt:
    print()
print(strftime("%H:%M:%S"))
for k, v in sorted(b["counts"].items(), key=lambda kv: kv[1].value)[-10:]:
    if v.value < 2:
        continue
    print("{1:<16} pid {0} opened {n} files".format(k.pid, k.comm.decode(), n=v.value))
