// run test: a USDT program, libbpf-style (usdt.bpf.h's BPF_USDT reads the
// probe's arguments wherever the compiler put them). SEC("usdt") names no
// probe, as libbpf-bootstrap's manual-attach example: --usdt says where.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	__s64 n;
	char word[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("usdt")
int BPF_USDT(on_tick, long n, const char *word)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->n = n;
	bpf_probe_read_user_str(e->word, sizeof(e->word), word);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
