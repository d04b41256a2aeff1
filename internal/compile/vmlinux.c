// vmlinux.h from the kernel's BTF with libbpf's BTF dump API: the same
// header bpftool's `btf dump file /sys/kernel/btf/vmlinux format c` writes
// (types in BTF order, CO-RE access index on every struct and union, kfunc
// prototypes), so run needs no bpftool.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btfdump.h"

static void print_to_file(void *ctx, const char *fmt, va_list args)
{
	vfprintf((FILE *)ctx, fmt, args);
}

struct kfunc {
	const char *name;
	__u32 proto;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct kfunc *)a)->name, ((const struct kfunc *)b)->name);
}

// Functions tagged "bpf_kfunc" are the kernel functions BPF programs may
// call; bpftool declares them at the end of vmlinux.h, sorted by name.
static int dump_kfuncs(const struct btf *btf, struct btf_dump *d, FILE *out)
{
	__u32 n = btf__type_cnt(btf);
	struct kfunc *kfuncs = NULL;
	size_t count = 0, i;

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_type *fn;

		if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1)
			continue;
		if (strcmp(btf__name_by_offset(btf, t->name_off), "bpf_kfunc") != 0)
			continue;
		fn = btf__type_by_id(btf, t->type);
		if (!fn || !btf_is_func(fn))
			continue;
		struct kfunc *grown = realloc(kfuncs, (count + 1) * sizeof(*kfuncs));
		if (!grown) {
			free(kfuncs);
			return -ENOMEM;
		}
		kfuncs = grown;
		kfuncs[count].name = btf__name_by_offset(btf, fn->name_off);
		kfuncs[count].proto = fn->type;
		count++;
	}
	if (count == 0) {
		free(kfuncs);
		return 0;
	}
	qsort(kfuncs, count, sizeof(*kfuncs), by_name);

	fprintf(out, "\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
	for (i = 0; i < count; i++) {
		LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = kfuncs[i].name);
		// The same name twice (a kfunc tagged in two places) is declared once.
		if (i > 0 && strcmp(kfuncs[i].name, kfuncs[i - 1].name) == 0)
			continue;
		fprintf(out, "extern ");
		int err = btf_dump__emit_type_decl(d, kfuncs[i].proto, &opts);
		if (err) {
			free(kfuncs);
			return err;
		}
		fprintf(out, " __weak __ksym;\n");
	}
	fprintf(out, "#endif\n\n");
	free(kfuncs);
	return 0;
}

/* A dump of a BTF into a descriptor the caller opened. */
struct dump {
	struct btf *btf;
	FILE *out;
	struct btf_dump *d;
};

/* dump_open reads the BTF at btf_path (the running kernel's when empty)
 * and readies a dump of it into out_fd: 0, or a negative errno. */
static int dump_open(struct dump *x, const char *btf_path, int out_fd)
{
	*x = (struct dump){0};
	x->btf = btf_path && *btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	if (!x->btf)
		return errno ? -errno : -EINVAL;
	/* A descriptor the caller opened (O_NOFOLLOW, O_EXCL): duplicated, so
	 * fclose leaves the caller's own to close. */
	int fd = dup(out_fd);
	if (fd < 0)
		return -errno;
	x->out = fdopen(fd, "w");
	if (!x->out) {
		close(fd);
		return -errno;
	}
	x->d = btf_dump__new(x->btf, print_to_file, x->out, NULL);
	if (!x->d)
		return errno ? -errno : -EINVAL;
	fprintf(x->out, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
	fprintf(x->out, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n");
	fprintf(x->out, "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n");
	fprintf(x->out, "#endif\n\n");
	fprintf(x->out, "#ifndef __ksym\n#define __ksym __attribute__((section(\".ksyms\")))\n#endif\n\n");
	fprintf(x->out, "#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n");
	return 0;
}

/* dump_close ends the header (when err is 0) and frees what dump_open
 * made; it returns err, or the error of writing the file. */
static int dump_close(struct dump *x, int err)
{
	if (x->out && !err) {
		fprintf(x->out, "\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
		fprintf(x->out, "#endif /* __VMLINUX_H__ */\n");
	}
	btf_dump__free(x->d);
	if (x->out && fclose(x->out) != 0 && !err)
		err = -errno;
	btf__free(x->btf);
	return err;
}

int ebpfhello_dump_vmlinux_h(const char *btf_path, int out_fd)
{
	struct dump x;
	int err = dump_open(&x, btf_path, out_fd);

	__u32 n = err ? 0 : btf__type_cnt(x.btf);
	for (__u32 id = 1; id < n && !err; id++)
		err = btf_dump__dump_type(x.d, id);
	if (!err)
		err = dump_kfuncs(x.btf, x.d, x.out);
	return dump_close(&x, err);
}

/* Names of the BTF, sorted: named types (struct, union, typedef, enum)
 * and enum constants, to find by name without a scan of every type per
 * name (btf__find_by_name_kind), which took seconds for a thousand names. */
struct named {
	const char *name;
	__u32 type;
	int kind; /* BTF_KIND_*, or 0 for an enum constant */
};

static int by_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static int add_named(struct named **table, size_t *n, size_t *cap, const char *name, __u32 type, int kind)
{
	if (!name || !*name)
		return 0;
	if (*n == *cap) {
		size_t grow = *cap ? *cap * 2 : 4096;
		struct named *t = realloc(*table, grow * sizeof(**table));
		if (!t)
			return -ENOMEM;
		*table = t;
		*cap = grow;
	}
	(*table)[(*n)++] = (struct named){name, type, kind};
	return 0;
}

/* dump_by_name dumps the types called name: records (struct, union) when
 * records, else typedefs and enums, or the enum that defines a constant of
 * that name. 1 when one was found, 0 when none, <0 on error. */
static int dump_by_name(struct btf_dump *d, const struct named *table, size_t n, const char *name, int records)
{
	struct named key = {.name = name};
	const struct named *hit = bsearch(&key, table, n, sizeof(*table), by_named);
	if (!hit)
		return 0;
	while (hit > table && strcmp(hit[-1].name, name) == 0)
		hit--;
	int found = 0;
	for (; hit < table + n && strcmp(hit->name, name) == 0; hit++) {
		int record = hit->kind == BTF_KIND_STRUCT || hit->kind == BTF_KIND_UNION;
		if (record != records)
			continue;
		int err = btf_dump__dump_type(d, hit->type);
		if (err)
			return err;
		found = 1;
	}
	return found;
}

/* What each name of a list is for (each_name). */
struct names_job {
	struct dump *x;
	const struct named *table;
	size_t n;
	int what; /* 0 other names, 1 records, 2 forward declarations */
};

/* each_name runs job over the names of a newline-separated list: 0, or
 * the first negative error. */
static int each_name(const char *list, struct names_job *job)
{
	char *copy = strdup(list ? list : "");
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (char *save = NULL, *s = strtok_r(copy, "\n", &save); s && err >= 0; s = strtok_r(NULL, "\n", &save)) {
		if (job->what == 2)
			fprintf(job->x->out, "struct %s;\n", s);
		else
			err = dump_by_name(job->x->d, job->table, job->n, s, job->what);
	}
	free(copy);
	return err < 0 ? err : 0;
}

/*
 * ebpfhello_dump_types writes a vmlinux.h with only what a program names:
 * records lists struct and union names it uses (each dumped whole, with
 * what it embeds; pointers' targets are declared), names lists the other
 * identifiers of its text (typedefs, enums and enum constants are dumped
 * when one has that name), forward lists struct names to declare only (the
 * ones libbpf's helper prototypes point to). Newline-separated lists.
 * Parsing a whole vmlinux.h is most of a first compile's time.
 */
int ebpfhello_dump_types(const char *btf_path, int out_fd, const char *records, const char *names, const char *forward)
{
	struct named *table = NULL;
	size_t n_named = 0, cap = 0;
	struct dump x;
	int err = dump_open(&x, btf_path, out_fd);

	__u32 n = err ? 0 : btf__type_cnt(x.btf);
	for (__u32 id = 1; id < n && !err; id++) {
		const struct btf_type *t = btf__type_by_id(x.btf, id);
		int kind = btf_kind(t);
		switch (kind) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_TYPEDEF:
			err = add_named(&table, &n_named, &cap, btf__name_by_offset(x.btf, t->name_off), id, kind);
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			err = add_named(&table, &n_named, &cap, btf__name_by_offset(x.btf, t->name_off), id, kind);
			for (__u16 i = 0; i < btf_vlen(t) && !err; i++) {
				__u32 off = kind == BTF_KIND_ENUM ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
				err = add_named(&table, &n_named, &cap, btf__name_by_offset(x.btf, off), id, 0);
			}
			break;
		}
	}
	if (!err) {
		qsort(table, n_named, sizeof(*table), by_named);
		fprintf(x.out, "/* Only the types this program names (ebpf-hello's first compile on a kernel). */\n");
		struct names_job forwards = {&x, table, n_named, 2}, recs = {&x, table, n_named, 1}, others = {&x, table, n_named, 0};
		err = each_name(forward, &forwards);
		if (!err)
			err = each_name(records, &recs);
		if (!err)
			err = each_name(names, &others);
	}
	free(table);
	return dump_close(&x, err);
}
