/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exec.h: the one definition of the event exec.bpf.c sends to user space,
 * one per execve(2) or execveat(2). internal/event mirrors it, and a test
 * checks the Go copies against the compiled object's BTF.
 *
 * Fixed-width types, widest first: no hidden padding. Constants are enums
 * (they survive into BTF), not #defines.
 */
#ifndef EBPF_HELLO_EXEC_H
#define EBPF_HELLO_EXEC_H

enum exec_sizes {
	EXEC_COMM_LEN = 16,    /* the kernel's TASK_COMM_LEN */
	EXEC_FILE_LEN = 256,   /* the path given to exec, NUL included */
	EXEC_ARG_LEN = 256,    /* at most this much of one argument, NUL included */
	EXEC_MAX_ARGS = 64,    /* at most this many arguments (bits of cut_args) */
	EXEC_ARGS_SIZE = 4096, /* all arguments, NUL-separated */
};

/* Index of the counters in the per-CPU "drops" map. */
enum exec_drop_slot {
	EXEC_DROP_BUFFER_FULL = 0,   /* the perf buffer was full: event lost */
	EXEC_DROP_INFLIGHT_FULL = 1, /* the map of execs in flight was full: exec not traced */
	EXEC_DROP_SLOTS = 2,
};

/* targ_uid's "any user": no uid is (uid_t)-1. */
enum exec_filters {
	EXEC_INVALID_UID = 0xffffffffu,
};

struct exec_event {
	__u64 ts_ns;		  /* bpf_ktime_get_ns() when exec returned */
	__u64 cut_args;		  /* bit i: argument i was cut to EXEC_ARG_LEN-1 bytes */
	__u32 pid;		  /* process id (tgid); in a container, its (pidns.h) */
	__u32 tid;		  /* thread that called exec; in a container, its */
	__u32 ppid;		  /* parent's process id; in a container, its */
	__u32 host_pid;		  /* the host's process id */
	__u32 host_ppid;	  /* the host's parent process id */
	__u32 uid;		  /* real user id when exec was called */
	__s32 ret;		  /* 0, or -errno when exec failed */
	__u32 flags;		  /* EXEC_* bits below */
	__u32 args_count;	  /* arguments in args */
	__u32 args_size;	  /* bytes of args used */
	char comm[EXEC_COMM_LEN]; /* after exec: the new program's name */
	char file[EXEC_FILE_LEN];
	char args[EXEC_ARGS_SIZE]; /* argv[0], argv[1], ... each NUL-terminated */
};

/* exec_event.flags */
enum exec_event_flags {
	EXEC_FILE_CUT = 1,	  /* file holds the first EXEC_FILE_LEN-1 bytes of a longer path */
	EXEC_FILE_UNREADABLE = 2, /* the path could not be read */
	EXEC_ARGS_MORE = 4,	  /* argv has more arguments than args holds */
	EXEC_ARGS_UNREADABLE = 8, /* argv could not be read (all of it, or from args_count on) */
};

#endif /* EBPF_HELLO_EXEC_H */
