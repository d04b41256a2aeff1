// run test: a socket filter, the oldest BPF: run binds a packet socket to
// --iface and attaches this to it, so it sees every packet there. It has no
// direct packet access: it reads the bytes with bpf_skb_load_bytes, and
// counts IPv4 UDP packets by destination port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "udp_count.h"

char LICENSE[] SEC("license") = "GPL";

SEC("socket")
int count_udp(struct __sk_buff *skb)
{
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) || eth.h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, sizeof(eth), &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, sizeof(eth) + ip.ihl * 4, &udp, sizeof(udp)))
		return 0;
	count_udp_port(bpf_ntohs(udp.dest));
	return 0; /* keep nothing for the socket: it is never read */
}
