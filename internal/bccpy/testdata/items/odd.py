#!/usr/bin/env python3
# An items() loop whose print calls the script's own function: run cannot
# follow it and prints the map its own way, saying so.
from bcc import BPF
from time import sleep

def describe(v):
    return "%d opens" % v.value

b = BPF(src_file="opens.c")
try:
    sleep(99999999)
except KeyboardInterrupt:
    pass
print("PID     OPENS")
for k, v in b["counts"].items():
    print("%-7d %s" % (k.pid, describe(v)))
