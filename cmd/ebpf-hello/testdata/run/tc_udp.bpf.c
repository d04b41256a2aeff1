// run test: the networking hello world on tc (clsact ingress, a direct-action
// filter): packets pass through; UDP ones are counted by destination port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "udp_count.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int count_udp(struct __sk_buff *ctx)
{
	count_udp_port(udp_dest_port((void *)(long)ctx->data, (void *)(long)ctx->data_end));
	return 0; /* TC_ACT_OK */
}
