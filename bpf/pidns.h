/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pidns.h: process ids as the tracer sees them. Inside a container the
 * tracer runs in a child PID namespace: `echo $$` and ps there show that
 * namespace's ids, while bpf_get_current_pid_tgid() gives the host's. When
 * user space sets targ_pidns_dev/ino (its own namespace, as stat(2) of
 * /proc/self/ns/pid shows it, the device in the kernel's encoding), events
 * carry the namespace's ids, and the host's beside them; a task outside the
 * namespace has id 0 there (it has none). Left 0, the ids are the host's.
 *
 * bpf_get_ns_current_pid_tgid is Linux 5.7 or newer: user space sets the
 * knobs only there, and the verifier skips the call when they are 0.
 */
#ifndef EBPF_HELLO_PIDNS_H
#define EBPF_HELLO_PIDNS_H

const volatile __u64 targ_pidns_dev = 0; /* the tracer's PID namespace (0: the host's) */
const volatile __u64 targ_pidns_ino = 0;

struct task_ids {
	__u32 pid, tid;		  /* as the tracer sees them */
	__u32 host_pid, host_tid; /* the host's */
};

static __always_inline struct task_ids current_ids(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_ids ids = {
		.pid = pid_tgid >> 32,
		.tid = (__u32)pid_tgid,
		.host_pid = pid_tgid >> 32,
		.host_tid = (__u32)pid_tgid,
	};
	struct bpf_pidns_info ns = {};

	if (targ_pidns_ino) {
		/* On failure (a task outside the namespace) ns stays zero. */
		bpf_get_ns_current_pid_tgid(targ_pidns_dev, targ_pidns_ino, &ns, sizeof(ns));
		ids.pid = ns.tgid;
		ids.tid = ns.pid;
	}
	return ids;
}

/*
 * ns_tgid is task's process id in the current task's own PID namespace
 * (call it only when current_ids() found the current task in the tracer's),
 * 0 if task has none there. The kernel numbers a task in the namespace at
 * depth L in its struct pid's numbers[L]. Used for a parent, whose ids no
 * helper gives.
 */
static __always_inline __u32 ns_tgid(struct task_struct *task)
{
	struct task_struct *me;
	struct pid *mine, *theirs;
	struct upid my_up = {}, their_up = {};
	unsigned int level;
	__u64 at;

	if (!targ_pidns_ino)
		return BPF_CORE_READ(task, tgid);
	me = (struct task_struct *)bpf_get_current_task();
	mine = BPF_CORE_READ(me, thread_pid);
	theirs = BPF_CORE_READ(task, group_leader, thread_pid);
	level = BPF_CORE_READ(mine, level);
	if (!theirs || level > 32 || BPF_CORE_READ(theirs, level) < level)
		return 0;
	/* numbers[] is a flexible array: its offset relocated, upid's size fixed. */
	at = bpf_core_field_offset(struct pid, numbers) + level * sizeof(struct upid);
	bpf_probe_read_kernel(&my_up, sizeof(my_up), (void *)mine + at);
	bpf_probe_read_kernel(&their_up, sizeof(their_up), (void *)theirs + at);
	if (!my_up.ns || my_up.ns != their_up.ns)
		return 0;
	return their_up.nr;
}

#endif /* EBPF_HELLO_PIDNS_H */
