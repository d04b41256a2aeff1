/* udp_port.h: the destination port of an IPv4 UDP packet, from its
 * Ethernet frame in [data, data_end), checking every bound as the
 * verifier demands of direct packet access (XDP, tc); 0 for other packets. */
#ifndef UDP_PORT_H
#define UDP_PORT_H

#define ETH_P_IP 0x0800

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
