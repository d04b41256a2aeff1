// run test: fields a learner reads by name, not by number. Events of the
// test process (targ_tgid) from four hooks: a failed open (flags, file
// name, then -ENOENT), a signal it sends, and its TCP connect's state
// changes (addresses, a port in host order and one in network order), and
// a map keyed by address and port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_tgid = 0;

struct event {
	__u32 pid;
	__u32 hook; /* 1 open, 2 open's return, 3 signal, 4 TCP state */
	int ret;
	int flags;
	char fname[32];
	int sig;
	__u16 family;
	__u16 sport;  /* host order, as the tracepoint gives it */
	__be16 dport; /* network order, as a socket holds it */
	__u8 saddr[4];
	__u8 daddr[4];
	int oldstate;
	int newstate;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* connects per destination, printed at exit: a key of an address and a
 * port in network order, as a socket holds them */
struct conn_key {
	__be32 daddr;
	__be16 dport;
	__u16 family;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct conn_key);
	__type(value, __u64);
} conns SEC(".maps");

static __always_inline int mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

static __always_inline void send(struct event *e, __u32 hook)
{
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->hook = hook;
	bpf_ringbuf_output(&events, e, sizeof(*e), 0);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int open_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct event e = {};

	if (!mine())
		return 0;
	e.flags = (int)ctx->args[2];
	bpf_probe_read_user_str(e.fname, sizeof(e.fname), (const char *)ctx->args[1]);
	send(&e, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int open_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct event e = {};

	if (!mine())
		return 0;
	e.ret = (int)ctx->ret;
	send(&e, 2);
	return 0;
}

SEC("tracepoint/signal/signal_generate")
int signal_sent(struct trace_event_raw_signal_generate *ctx)
{
	struct event e = {};

	if (!mine())
		return 0;
	e.sig = ctx->sig;
	send(&e, 3);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct event e = {};

	if (!mine() || ctx->protocol != IPPROTO_TCP || ctx->family != 2 /* AF_INET */)
		return 0;
	e.family = ctx->family;
	e.sport = ctx->sport;
	e.dport = bpf_htons(ctx->dport);
	__builtin_memcpy(e.saddr, ctx->saddr, 4);
	__builtin_memcpy(e.daddr, ctx->daddr, 4);
	e.oldstate = ctx->oldstate;
	e.newstate = ctx->newstate;
	send(&e, 4);
	if (ctx->newstate == 2 /* TCP_SYN_SENT */) {
		struct conn_key key = { .dport = bpf_htons(ctx->dport), .family = ctx->family };
		__u64 one = 1, *count;

		__builtin_memcpy(&key.daddr, ctx->daddr, 4);
		count = bpf_map_lookup_elem(&conns, &key);
		if (count)
			__sync_fetch_and_add(count, 1);
		else
			bpf_map_update_elem(&conns, &key, &one, BPF_NOEXIST);
	}
	return 0;
}
