//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * open.bpf.c: the tutorial's improved program (step 4). One open_event per
 * file open, sent to user space through a BPF perf event array (the
 * tutorial's BPF_PERF_OUTPUT) or, built with -DUSE_RINGBUF, a BPF ring buffer.
 *
 * Differences from the tutorial, on purpose:
 * - pid is the process id (tgid, the upper half of bpf_get_current_pid_tgid);
 *   the tutorial stored the lower half, which is the thread id.
 * - The name is read with bpf_probe_read_user_str: it is a user pointer, and
 *   the generic bpf_probe_read of a fixed 255 bytes fails near the end of a
 *   page (empty names) and is refused under lockdown.
 * - By default the name is read when the open returns, as opensnoop does: at
 *   entry the page holding it may not be resident yet. The entry pointer is
 *   kept in a hash map keyed by thread id until then. targ_entry_only keeps
 *   the tutorial's read-at-entry behaviour.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "open.h"
#include "pidns.h"
#include "syscall_tp.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Keep struct open_event and the constants in the object's BTF, where a Go test checks their copies. */
const struct open_event *unused_open_event __attribute__((unused));
const enum open_sizes *unused_open_sizes __attribute__((unused));
const enum drop_slot *unused_drop_slot __attribute__((unused));
const enum open_filters *unused_open_filters __attribute__((unused));
const enum open_event_flags *unused_open_event_flags __attribute__((unused));

/* Knobs set by user space before loading (bcc's targ_ convention); the verifier sees them as constants. */
const volatile __u32 targ_pid = 0;	      /* only this process (0: any) */
const volatile __u32 targ_tid = 0;	      /* only this thread (0: any) */
const volatile __u32 targ_uid = INVALID_UID;  /* only this user */
const volatile char targ_comm[COMM_LEN] = {}; /* only this command name ("": any) */
const volatile __u32 targ_exclude_pid = 0;    /* never this process: the tracer itself */
const volatile bool targ_failed = false;      /* only failed opens (needs the exit probe) */
const volatile bool targ_entry_only = false;  /* emit at entry, like the tutorial */

#ifdef USE_RINGBUF
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* user space may resize it */
} events SEC(".maps");
#else
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");
#endif

/* Events that never reached user space, per CPU, never reset: user space reports the growth.
 * Counted here for both buffers, so the count is exact and immediate. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* File name pointers of opens in flight, by thread id, from entry to exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, const char *);
} starts SEC(".maps");

static __always_inline void count_drop(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &slot);

	if (n)
		*n += 1; /* per-CPU slot: no other CPU writes it */
}

static __always_inline bool comm_allowed(void)
{
	char comm[COMM_LEN];

	if (targ_comm[0] == '\0')
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (comm[i] == '\0')
			break;
	}
	return true;
}

/* trace_allowed applies the filters in the kernel, so filtered-out opens
 * cost no copy to user space. Ids are compared as the tracer sees them. */
static __always_inline bool trace_allowed(struct task_ids ids)
{
	if (targ_exclude_pid && ids.pid == targ_exclude_pid)
		return false; /* the tracer's own opens are never shown */
	if (targ_pid && ids.pid != targ_pid)
		return false;
	if (targ_tid && ids.tid != targ_tid)
		return false;
	if (targ_uid != INVALID_UID && (__u32)bpf_get_current_uid_gid() != targ_uid)
		return false;
	return comm_allowed();
}

/* submit fills one event (ret is used only when has_ret) and sends it to user space. */
static __always_inline int submit(void *ctx, const char *fname, long ret, bool has_ret)
{
	struct task_ids ids = current_ids();
	struct open_event *e;
	long n;

	if (has_ret && targ_failed && ret >= 0)
		return 0;

#ifdef USE_RINGBUF
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(DROP_BUFFER_FULL);
		return 0;
	}
#else
	struct open_event ev;
	e = &ev;
#endif
	/* Zero everything first: no stale kernel stack bytes may reach user space. */
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = ids.pid;
	e->tid = ids.tid;
	e->host_pid = ids.host_pid;
	e->host_tid = ids.host_tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	n = bpf_probe_read_user_str(e->fname, sizeof(e->fname), fname);
	if (n < 0)
		e->name_err = n;
	/* A full buffer holds either a name of exactly FNAME_LEN-1 bytes or the
	 * start of a longer one: the user's byte after the copied ones tells. */
	if (n == FNAME_LEN) {
		char next = 0;

		if (bpf_probe_read_user(&next, 1, fname + FNAME_LEN - 1) == 0 && next != '\0')
			e->flags |= EVENT_NAME_CUT;
	}
	if (has_ret) {
		e->ret = ret;
		e->flags |= EVENT_HAS_RET;
	}

#ifdef USE_RINGBUF
	/* No wakeup: the tracer reads the ring on a timer, and waking it for
	 * every event would cost more than writing the event. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
#else
	/* Send the name's bytes only, not all FNAME_LEN: less to copy for the kernel and for us. */
	__u64 len = n > 0 ? n : 0;
	if (len > FNAME_LEN)
		len = FNAME_LEN;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, offsetof(struct open_event, fname) + len))
		count_drop(DROP_BUFFER_FULL); /* counted here: the kernel reports perf losses only with a later event */
#endif
	return 0;
}

/* on_enter runs when an open starts: emit now (tutorial mode) or remember the name pointer. */
static __always_inline int on_enter(void *ctx, const char *fname)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(); /* the stash's key: the host's id, unique */

	if (!trace_allowed(current_ids()))
		return 0;
	if (targ_entry_only)
		return submit(ctx, fname, 0, false);
	if (bpf_map_update_elem(&starts, &tid, &fname, BPF_ANY)) {
		/* The stash is full: any user can fill it with threads blocked
		 * in open (on FIFOs, say). Show this open now, without its
		 * result, rather than hide it; user space warns at once. */
		count_drop(DROP_STASH_FULL);
		if (!targ_failed)
			return submit(ctx, fname, 0, false);
	}
	return 0;
}

/* on_exit runs when the open returns: read the name now that the kernel has copied it in. */
static __always_inline int on_exit(void *ctx, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const char **fname = bpf_map_lookup_elem(&starts, &tid);

	if (!fname)
		return 0; /* filtered out at entry, or started before we attached */
	submit(ctx, *fname, ret, true);
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

/*
 * kprobe: do_sys_openat2(int dfd, const char __user *filename, struct open_how *how)
 * returns long before 6.16 and int from 6.16. An fd or -errno always fits in
 * an int, so the exit programs keep the low 32 bits, sign-extended: right for
 * both, while reading a long from an int function turns -ENOENT into 4294967294.
 */
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(open_kprobe, int dfd, const char *filename)
{
	return on_enter(ctx, filename);
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(open_kretprobe)
{
	return on_exit(ctx, (int)PT_REGS_RC(ctx));
}

/* fentry/fexit: fexit sees the arguments and the return value together, so no map is needed. */
SEC("fentry/do_sys_openat2")
int BPF_PROG(open_fentry, int dfd, const char *filename)
{
	return on_enter(ctx, filename);
}

SEC("fexit/do_sys_openat2")
int BPF_PROG(open_fexit, int dfd, const char *filename, struct open_how *how, int ret)
{
	if (!trace_allowed(current_ids()))
		return 0;
	return submit(ctx, filename, ret, true);
}

/*
 * Syscall tracepoints, one program per tracepoint, named for it. User space
 * switches off those whose syscall this kernel lacks (no open(2) or creat(2)
 * on arm64 or riscv64, no openat2(2) before 5.6). The file name is args[0] for
 * open(2) and creat(2), args[1] for openat(2) and openat2(2).
 */
SEC("tracepoint/syscalls/sys_enter_open")
int open_enter_open(struct syscall_trace_enter___eh *ctx)
{
	return on_enter(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int open_enter_creat(struct syscall_trace_enter___eh *ctx)
{
	return on_enter(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int open_enter_openat(struct syscall_trace_enter___eh *ctx)
{
	return on_enter(ctx, (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int open_enter_openat2(struct syscall_trace_enter___eh *ctx)
{
	return on_enter(ctx, (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int open_exit_open(struct syscall_trace_exit___eh *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int open_exit_creat(struct syscall_trace_exit___eh *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int open_exit_openat(struct syscall_trace_exit___eh *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int open_exit_openat2(struct syscall_trace_exit___eh *ctx)
{
	return on_exit(ctx, ctx->ret);
}
