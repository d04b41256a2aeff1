// run test: a socket filter, the oldest BPF: run binds a packet socket to
// --iface and attaches this to it, so it sees every packet there. It has no
// direct packet access: it reads the bytes with bpf_skb_load_bytes, and
// counts IPv4 UDP packets by destination port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);   /* UDP destination port */
	__type(value, __u64); /* packets */
} udp_packets SEC(".maps");

SEC("socket")
int count_udp(struct __sk_buff *skb)
{
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	__u64 one = 1, *n;
	__u16 port;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) || eth.h_proto != bpf_htons(0x0800))
		return 0;
	if (bpf_skb_load_bytes(skb, sizeof(eth), &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, sizeof(eth) + ip.ihl * 4, &udp, sizeof(udp)))
		return 0;
	port = bpf_ntohs(udp.dest);
	n = bpf_map_lookup_elem(&udp_packets, &port);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&udp_packets, &port, &one, BPF_NOEXIST);
	return 0; /* keep nothing for the socket: it is never read */
}
