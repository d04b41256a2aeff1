// run test: the networking hello world, XDP: every packet the interface
// receives passes through; UDP ones are counted by destination port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "udp_count.h"

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int count_udp(struct xdp_md *ctx)
{
	count_udp_port(udp_dest_port((void *)(long)ctx->data, (void *)(long)ctx->data_end));
	return XDP_PASS;
}
