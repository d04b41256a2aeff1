/* udp_count.h: what the networking tests' three programs (xdp, tc, socket
 * filter) share: the map of UDP packets by destination port, and reading
 * that port from an Ethernet frame in [data, data_end), checking every
 * bound as the verifier demands of direct packet access (XDP, tc). */
#ifndef UDP_COUNT_H
#define UDP_COUNT_H

#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);   /* UDP destination port */
	__type(value, __u64); /* packets */
} udp_packets SEC(".maps");

/* count_udp_port counts one packet to port (0: not a UDP packet). */
static __always_inline void count_udp_port(__u16 port)
{
	__u64 one = 1, *n;

	if (!port)
		return;
	n = bpf_map_lookup_elem(&udp_packets, &port);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&udp_packets, &port, &one, BPF_NOEXIST);
}

/* udp_dest_port is an IPv4 UDP packet's destination port, 0 for others. */
static __always_inline __u16 udp_dest_port(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return 0;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return 0;
	return bpf_ntohs(udp->dest);
}

#endif
