from bcc import BPF

b = BPF(src_file=b"ring.c", cflags=["-DX=1"])
b.attach_uretprobe(name="c", sym="malloc", fn_name="ret")
start = 0

def show(ctx, data, size):
    global start
    e = b["events"].event(data)
    if start == 0:
        start = e.ts_ns
    print("%-10.3f %-16s %d" % ((e.ts_ns - start) / 1e6, e.comm.decode('utf-8', 'replace'), e.size))

b["events"].open_ring_buffer(show)
while True:
    b.ring_buffer_poll()
