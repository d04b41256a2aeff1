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

int ebpfhello_dump_vmlinux_h(const char *btf_path, int out_fd)
{
	struct btf *btf;
	struct btf_dump *d = NULL;
	FILE *out;
	int err = 0;

	btf = btf_path && *btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf)
		return errno ? -errno : -EINVAL;

	/* A descriptor the caller opened (O_NOFOLLOW, O_EXCL): duplicated, so
	 * fclose leaves the caller's own to close. */
	int fd = dup(out_fd);
	if (fd < 0) {
		err = -errno;
		goto out_btf;
	}
	out = fdopen(fd, "w");
	if (!out) {
		err = -errno;
		close(fd);
		goto out_btf;
	}

	d = btf_dump__new(btf, print_to_file, out, NULL);
	if (!d) {
		err = errno ? -errno : -EINVAL;
		goto out_file;
	}

	fprintf(out, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
	fprintf(out, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n");
	fprintf(out, "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n");
	fprintf(out, "#endif\n\n");
	fprintf(out, "#ifndef __ksym\n#define __ksym __attribute__((section(\".ksyms\")))\n#endif\n\n");
	fprintf(out, "#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n");

	__u32 n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		err = btf_dump__dump_type(d, id);
		if (err)
			goto out_dump;
	}
	err = dump_kfuncs(btf, d, out);
	if (err)
		goto out_dump;

	fprintf(out, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
	fprintf(out, "#endif /* __VMLINUX_H__ */\n");

out_dump:
	btf_dump__free(d);
out_file:
	if (fclose(out) != 0 && !err)
		err = -errno;
out_btf:
	btf__free(btf);
	return err;
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
	struct btf *btf;
	struct btf_dump *d = NULL;
	struct named *table = NULL;
	size_t n_named = 0, cap = 0;
	FILE *out;
	int err = 0;

	btf = btf_path && *btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf)
		return errno ? -errno : -EINVAL;
	int fd = dup(out_fd);
	if (fd < 0) {
		err = -errno;
		goto out_btf;
	}
	out = fdopen(fd, "w");
	if (!out) {
		err = -errno;
		close(fd);
		goto out_btf;
	}
	d = btf_dump__new(btf, print_to_file, out, NULL);
	if (!d) {
		err = errno ? -errno : -EINVAL;
		goto out_file;
	}

	__u32 n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n && !err; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		int kind = btf_kind(t);
		switch (kind) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_TYPEDEF:
			err = add_named(&table, &n_named, &cap, btf__name_by_offset(btf, t->name_off), id, kind);
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			err = add_named(&table, &n_named, &cap, btf__name_by_offset(btf, t->name_off), id, kind);
			for (__u16 i = 0; i < btf_vlen(t) && !err; i++) {
				__u32 off = kind == BTF_KIND_ENUM ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
				err = add_named(&table, &n_named, &cap, btf__name_by_offset(btf, off), id, 0);
			}
			break;
		}
	}
	if (err)
		goto out_dump;
	qsort(table, n_named, sizeof(*table), by_named);

	fprintf(out, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
	fprintf(out, "/* Only the types this program names (ebpf-hello's first compile on a kernel). */\n");
	fprintf(out, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n");
	fprintf(out, "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n");
	fprintf(out, "#endif\n\n");
	fprintf(out, "#ifndef __ksym\n#define __ksym __attribute__((section(\".ksyms\")))\n#endif\n\n");
	fprintf(out, "#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n");

	char *list = strdup(forward ? forward : "");
	if (!list) {
		err = -ENOMEM;
		goto out_dump;
	}
	for (char *save = NULL, *s = strtok_r(list, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		fprintf(out, "struct %s;\n", s);
	free(list);

	list = strdup(records ? records : "");
	if (!list) {
		err = -ENOMEM;
		goto out_dump;
	}
	for (char *save = NULL, *s = strtok_r(list, "\n", &save); s && err >= 0; s = strtok_r(NULL, "\n", &save))
		err = dump_by_name(d, table, n_named, s, 1);
	free(list);
	if (err < 0)
		goto out_dump;

	list = strdup(names ? names : "");
	if (!list) {
		err = -ENOMEM;
		goto out_dump;
	}
	for (char *save = NULL, *s = strtok_r(list, "\n", &save); s && err >= 0; s = strtok_r(NULL, "\n", &save))
		err = dump_by_name(d, table, n_named, s, 0);
	free(list);
	if (err < 0)
		goto out_dump;
	err = 0;

	fprintf(out, "\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
	fprintf(out, "#endif /* __VMLINUX_H__ */\n");

out_dump:
	free(table);
	btf_dump__free(d);
out_file:
	if (fclose(out) != 0 && !err)
		err = -errno;
out_btf:
	btf__free(btf);
	return err;
}
