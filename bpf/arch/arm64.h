/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * arch/arm64.h: what an arm64 BPF object needs from vmlinux.h when that
 * vmlinux.h was made from another architecture's BTF (cross builds:
 * `make static ARCH=arm64` on x86-64). The Makefile puts it in front of the
 * program (clang -include) only then: a vmlinux.h made on arm64 has these
 * types already.
 *
 * libbpf's bpf_tracing.h reads a kprobe's arguments on arm64 as
 * ((const struct user_pt_regs *)ctx)->regs[n] (PT_REGS_PARMn, BPF_KPROBE,
 * PT_REGS_RC). x86's BTF has no struct user_pt_regs. This is arm64's
 * (arch/arm64/include/uapi/asm/ptrace.h), self-contained so that it can
 * come before vmlinux.h; preserve_access_index makes every access a CO-RE
 * relocation against the running kernel's own struct user_pt_regs, as a
 * vmlinux.h made from its BTF would.
 */
#ifndef EBPF_HELLO_ARCH_ARM64_H
#define EBPF_HELLO_ARCH_ARM64_H

#if defined(__TARGET_ARCH_arm64)

struct user_pt_regs {
	unsigned long long regs[31];
	unsigned long long sp;
	unsigned long long pc;
	unsigned long long pstate;
} __attribute__((preserve_access_index));

#endif /* __TARGET_ARCH_arm64 */

#endif /* EBPF_HELLO_ARCH_ARM64_H */
