// run test: the networking hello world, XDP: every packet the interface
// receives passes through; UDP ones are counted by destination port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "udp_port.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);   /* UDP destination port */
	__type(value, __u64); /* packets */
} udp_packets SEC(".maps");

SEC("xdp")
int count_udp(struct xdp_md *ctx)
{
	__u16 port = udp_dest_port((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	__u64 one = 1, *n;

	if (!port)
		return XDP_PASS;
	n = bpf_map_lookup_elem(&udp_packets, &port);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&udp_packets, &port, &one, BPF_NOEXIST);
	return XDP_PASS;
}
