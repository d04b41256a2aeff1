#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "inspect.h"

enum { HELPER_TRACE_PRINTK = 6, HELPER_TRACE_VPRINTK = 177 };

/* scan follows which registers hold the context pointer (r1 at entry, and
 * its copies) in program order, and says whether the program may read
 * through it: a load from it, a copy of it stored to memory, or it handed
 * to a helper as anything but the first argument (bpf_probe_read(dst, n,
 * ctx + 8)). Conservative: when unsure, it reads. */
static void scan(const struct bpf_insn *insn, size_t n, struct eh_prog *p)
{
	unsigned int ctx = 1u << BPF_REG_1;

	for (size_t i = 0; i < n; i++, insn++) {
		__u8 cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
		unsigned int dst = 1u << insn->dst_reg, src = 1u << insn->src_reg;

		switch (cls) {
		case BPF_LDX:
			if (ctx & src)
				p->reads_ctx = 1;
			ctx &= ~dst;
			break;
		case BPF_STX:
			if (ctx & src)
				p->reads_ctx = 1;
			break;
		case BPF_LD:
			ctx &= ~dst;
			if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				i++; /* the second half of a 64-bit immediate */
				insn++;
			}
			break;
		case BPF_ALU:
		case BPF_ALU64:
			if (op == BPF_MOV) {
				if (BPF_SRC(insn->code) == BPF_X && (ctx & src))
					ctx |= dst;
				else
					ctx &= ~dst;
			} else if (!(cls == BPF_ALU64 && (op == BPF_ADD || op == BPF_SUB) && BPF_SRC(insn->code) == BPF_K)) {
				ctx &= ~dst; /* not pointer arithmetic: no longer a pointer */
			}
			break;
		case BPF_JMP:
			if (op == BPF_CALL && insn->src_reg == 0) {
				if (insn->imm == HELPER_TRACE_PRINTK || insn->imm == HELPER_TRACE_VPRINTK)
					p->calls_printk = 1;
				if (ctx & 0x3c) /* r2..r5 */
					p->reads_ctx = 1;
				ctx &= ~0x3fu; /* r0..r5 are clobbered */
			} else if (op == BPF_CALL) {
				if (ctx & 0x3e) /* a subprogram gets the context: assume it reads */
					p->reads_ctx = 1;
				ctx &= ~0x3fu;
			}
			break;
		}
	}
}

/* Only libbpf's warnings, as its own printer would show them: opening an
 * object to look at it should not print libbpf's notes (such as the
 * sections it skips, like run's .ebpf_hello.plan). */
static int warnings_only(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level != LIBBPF_WARN)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, format, args);
}

struct bpf_object *eh_open_quietly(const char *path)
{
	libbpf_print_fn_t before = libbpf_set_print(warnings_only);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int err = errno;

	libbpf_set_print(before);
	errno = err;
	return obj;
}

int eh_inspect(const char *path, struct eh_prog *out, int cap)
{
	struct bpf_object *obj = eh_open_quietly(path);
	struct bpf_program *prog;
	int n = 0;

	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		struct eh_prog *p;

		if (n++ >= cap)
			continue; /* only counted: Go calls again with room */
		p = &out[n - 1];
		memset(p, 0, sizeof(*p));
		strncpy(p->name, bpf_program__name(prog), sizeof(p->name) - 1);
		strncpy(p->section, bpf_program__section_name(prog), sizeof(p->section) - 1);
		scan(bpf_program__insns(prog), bpf_program__insn_cnt(prog), p);
	}
	bpf_object__close(obj);
	return n;
}
