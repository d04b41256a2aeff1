from bcc import BPF
from time import sleep

b = BPF(src_file="counts.c")
b.attach_tracepoint(tp="raw_syscalls:sys_enter", fn_name="count")
b.attach_uprobe(name="c", sym="malloc", fn_name="mallocs")
b.attach_raw_tracepoint(tp="sched_switch", fn_name="switches")
print("Counting... Ctrl-C to end")
try:
    sleep(99999999)
except KeyboardInterrupt:
    pass
for k, v in sorted(b["counts"].items(), key=lambda kv: kv[1].value):
    print("%-6d %d" % (k.value, v.value))
b.do_something_odd()
