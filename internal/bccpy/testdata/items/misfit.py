#!/usr/bin/env python3
# An items() loop that prints a field the map's key does not have (tgid):
# the reader cannot know, run finds out from the map's BTF and prints the
# map its own way, warning once.
from bcc import BPF
from time import sleep

b = BPF(src_file="opens.c")
while True:
    sleep(1)
    for k, v in b["counts"].items():
        print("%-7d %d" % (k.tgid, v.value))
