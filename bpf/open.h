/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * open.h: the one definition of the event that open.bpf.c sends to user
 * space. The Go decoder (internal/event) mirrors it, and a test compares the
 * two against the compiled object's BTF, so they cannot drift apart.
 *
 * Only fixed-width types, ordered from widest to narrowest, so the layout has
 * no hidden padding and reads the same from C and from Go.
 *
 * The constants are enums, not #defines: enums survive into the object's
 * BTF, where the same test checks the Go copies (internal/event) against them.
 */
#ifndef EBPF_HELLO_OPEN_H
#define EBPF_HELLO_OPEN_H

enum open_sizes {
	COMM_LEN = 16, /* the kernel's TASK_COMM_LEN (vmlinux.h has it only from 5.17) */
	/* The tutorial uses fname[NAME_MAX] (255 bytes); one more keeps the struct 8-byte aligned. */
	FNAME_LEN = 256,
};

/* Index of the counters in the per-CPU "drops" map. */
enum drop_slot {
	DROP_BUFFER_FULL = 0, /* the perf or ring buffer was full: event lost */
	DROP_STASH_FULL = 1,  /* the entry stash map was full: the open was sent at entry, without its result */
	DROP_SLOTS = 2,
};

/* targ_uid's "any user": no uid is (uid_t)-1. */
enum open_filters {
	INVALID_UID = 0xffffffffu,
};

struct open_event {
	__u64 ts_ns;	/* bpf_ktime_get_ns(): time since boot */
	__u32 pid;	/* process id (tgid), what ps calls PID; in a container, its (pidns.h) */
	__u32 tid;	/* thread id, what the kernel calls pid; in a container, its */
	__u32 host_pid; /* the host's process id */
	__u32 host_tid; /* the host's thread id */
	__u32 uid;	/* real user id */
	__s32 ret;	/* fd, or -errno when the open failed (0 in entry-only mode) */
	__s32 name_err; /* 0, or the error of bpf_probe_read_user_str */
	__u32 flags;	/* EVENT_* bits below */
	char comm[COMM_LEN];
	char fname[FNAME_LEN];
};

/* open_event.flags */
enum open_event_flags {
	EVENT_HAS_RET = 1,  /* ret holds the open's return value (read at exit) */
	EVENT_NAME_CUT = 2, /* the name did not fit in fname: fname holds its first FNAME_LEN-1 bytes */
};

#endif /* EBPF_HELLO_OPEN_H */
