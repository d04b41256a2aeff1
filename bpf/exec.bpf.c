//go:build ignore
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec.bpf.c: one exec_event per process execution (execve(2), execveat(2)),
 * with its arguments and result, like libbpf-tools' execsnoop.
 *
 * The arguments are read at entry, while the caller's memory still holds
 * them (a successful exec replaces it), into an event kept in a hash map;
 * the exit sees the result, the new command name and the parent, and sends
 * the event. The map is keyed by process id, not thread id: a successful
 * exec from another thread makes that thread the process leader, so the
 * exit runs with tid == pid.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "exec.h"
#include "pidns.h"
#include "syscall_tp.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Keep struct exec_event and the constants in the object's BTF, where a Go test checks their copies. */
const struct exec_event *unused_exec_event __attribute__((unused));
const enum exec_sizes *unused_exec_sizes __attribute__((unused));
const enum exec_drop_slot *unused_exec_drop_slot __attribute__((unused));
const enum exec_filters *unused_exec_filters __attribute__((unused));
const enum exec_event_flags *unused_exec_event_flags __attribute__((unused));

/* Filters set by user space before loading; the verifier sees them as constants. */
const volatile __u32 targ_pid = 0;		   /* only execs by this process (0: any) */
const volatile __u32 targ_uid = EXEC_INVALID_UID;  /* only this user */
const volatile char targ_comm[EXEC_COMM_LEN] = {}; /* only this command name after exec ("": any) */
const volatile bool targ_failed = false;	   /* only failed execs */

/* Every event in flight starts as this: no stale bytes reach user space. */
static const struct exec_event empty_event = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Events that never reached user space, per CPU; user space reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXEC_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Execs in flight, by process id, from entry to exit. Each entry is 4.4 KB,
 * preallocated: 1024 concurrent execs is plenty, and a full map is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct exec_event);
} execs SEC(".maps");

static __always_inline void count_drop(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &slot);

	if (n)
		*n += 1; /* per-CPU slot: no other CPU writes it */
}

/* continues: is the user's byte at p (just past what a full buffer holds) not the end? */
static __always_inline bool continues(const char *p)
{
	char c = 0;

	return bpf_probe_read_user(&c, 1, p) == 0 && c != '\0';
}

static __always_inline bool comm_allowed(const char *comm)
{
	if (targ_comm[0] == '\0')
		return true;
	for (int i = 0; i < EXEC_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (comm[i] == '\0')
			break;
	}
	return true;
}

/* read_args copies argv into e->args, packed, marking what it had to cut. */
static __always_inline void read_args(struct exec_event *e, const char *const *argv)
{
	const char *arg;
	long n;

	if (!argv)
		return; /* execve(path, NULL, ...): no arguments at all */
#pragma unroll
	for (int i = 0; i < EXEC_MAX_ARGS; i++) {
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i])) {
			e->flags |= EXEC_ARGS_UNREADABLE;
			return;
		}
		if (!arg)
			return;
		if (e->args_size > EXEC_ARGS_SIZE - EXEC_ARG_LEN) {
			e->flags |= EXEC_ARGS_MORE; /* no room for another whole argument */
			return;
		}
		n = bpf_probe_read_user_str(&e->args[e->args_size], EXEC_ARG_LEN, arg);
		if (n < 0) {
			e->flags |= EXEC_ARGS_UNREADABLE;
			return;
		}
		if (n == EXEC_ARG_LEN && continues(arg + EXEC_ARG_LEN - 1))
			e->cut_args |= 1ULL << i;
		e->args_count++;
		e->args_size += n;
	}
	if (bpf_probe_read_user(&arg, sizeof(arg), &argv[EXEC_MAX_ARGS]) == 0 && arg)
		e->flags |= EXEC_ARGS_MORE;
}

/* on_enter: remember the path and arguments of an exec that passes the filters. */
static __always_inline int on_enter(const char *file, const char *const *argv)
{
	struct task_ids ids = current_ids();
	__u32 pid = ids.host_pid; /* the map's key: the host's id, unique */
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct exec_event *e;
	long n;

	if (targ_pid && ids.pid != targ_pid)
		return 0;
	if (targ_uid != EXEC_INVALID_UID && uid != targ_uid)
		return 0;
	/* BPF_ANY: an entry left by an exec whose exit never ran is replaced. */
	if (bpf_map_update_elem(&execs, &pid, &empty_event, BPF_ANY)) {
		count_drop(EXEC_DROP_INFLIGHT_FULL);
		return 0;
	}
	e = bpf_map_lookup_elem(&execs, &pid);
	if (!e)
		return 0;
	e->pid = ids.pid;
	e->tid = ids.tid;
	e->host_pid = ids.host_pid;
	e->uid = uid;
	n = bpf_probe_read_user_str(e->file, sizeof(e->file), file);
	if (n < 0)
		e->flags |= EXEC_FILE_UNREADABLE;
	else if (n == EXEC_FILE_LEN && continues(file + EXEC_FILE_LEN - 1))
		e->flags |= EXEC_FILE_CUT;
	read_args(e, argv);
	return 0;
}

/* on_exit: add the result, the command name and the parent, and send the event. */
static __always_inline int on_exit(void *ctx, long ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *task;
	struct exec_event *e;
	__u32 size;

	e = bpf_map_lookup_elem(&execs, &pid);
	if (!e)
		return 0; /* filtered out at entry, or started before we attached */
	if (targ_failed && ret >= 0)
		goto done;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (!comm_allowed(e->comm))
		goto done;
	e->ret = ret;
	e->ts_ns = bpf_ktime_get_ns();
	task = (struct task_struct *)bpf_get_current_task();
	e->host_ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->ppid = e->pid ? ns_tgid(BPF_CORE_READ(task, real_parent)) : 0;
	/* Send the arguments' bytes only, not the whole array. */
	size = e->args_size;
	if (size > EXEC_ARGS_SIZE)
		size = EXEC_ARGS_SIZE;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, offsetof(struct exec_event, args) + size))
		count_drop(EXEC_DROP_BUFFER_FULL);
done:
	bpf_map_delete_elem(&execs, &pid);
	return 0;
}

/*
 * One program per syscall tracepoint, named for it. execve(path, argv, envp);
 * execveat(dirfd, path, argv, envp, flags). A successful exec returns 0 in
 * the new program.
 */
SEC("tracepoint/syscalls/sys_enter_execve")
int exec_enter_execve(struct syscall_trace_enter___eh *ctx)
{
	return on_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int exec_enter_execveat(struct syscall_trace_enter___eh *ctx)
{
	return on_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exec_exit_execve(struct syscall_trace_exit___eh *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int exec_exit_execveat(struct syscall_trace_exit___eh *ctx)
{
	return on_exit(ctx, ctx->ret);
}
