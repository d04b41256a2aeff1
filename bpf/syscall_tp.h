/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscall_tp.h: the records of the syscalls:sys_enter_* and sys_exit_*
 * tracepoints, for programs attached to them.
 *
 * vmlinux.h's trace_event_raw_sys_enter/exit describe the raw_syscalls
 * events (a long id), not these (an int nr): the two agree only while
 * struct trace_entry is 8 bytes. PREEMPT_RT kernels add a field to it, and
 * then args[1] of the raw layout lands on the third argument and ret past
 * the end of the record (the kernel refuses the attach with EACCES).
 *
 * These are the kernel's own struct syscall_trace_enter/exit
 * (kernel/trace/trace.h, present in vmlinux BTF). The ___eh suffix makes
 * them local flavours and preserve_access_index makes every field access a
 * CO-RE relocation, so the offsets follow the running kernel's trace_entry.
 */
#ifndef EBPF_HELLO_SYSCALL_TP_H
#define EBPF_HELLO_SYSCALL_TP_H

struct syscall_trace_enter___eh {
	struct trace_entry ent;
	int nr;
	unsigned long args[6];
} __attribute__((preserve_access_index));

struct syscall_trace_exit___eh {
	struct trace_entry ent;
	int nr;
	long ret;
} __attribute__((preserve_access_index));

#endif /* EBPF_HELLO_SYSCALL_TP_H */
