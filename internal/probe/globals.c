#include <errno.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "globals.h"
#include "inspect.h"

static void describe(const struct btf *btf, __u32 type_id, struct eh_var *v)
{
	int id = btf__resolve_type(btf, type_id); /* through typedef, const, volatile */
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, id);

	v->kind = EH_VAR_OTHER;
	if (!t)
		return;
	if (btf_is_int(t)) {
		__u8 enc = btf_int_encoding(t);

		v->kind = EH_VAR_INT;
		v->is_signed = !!(enc & BTF_INT_SIGNED);
		v->is_bool = !!(enc & BTF_INT_BOOL);
	} else if (btf_is_enum(t) || btf_is_enum64(t)) {
		v->kind = EH_VAR_INT;
		v->is_signed = btf_kflag(t);
	} else if (btf_is_array(t)) {
		int elem = btf__resolve_type(btf, btf_array(t)->type);
		const struct btf_type *e = elem < 0 ? NULL : btf__type_by_id(btf, elem);

		if (e && btf_is_int(e) && e->size == 1)
			v->kind = EH_VAR_CHARS;
	}
}

int eh_read_vars(const char *path, struct eh_var *out, int cap)
{
	/* Opened (not loaded) by libbpf, whose BTF has the data sections'
	 * offsets filled in from the ELF symbols: the compiler leaves them 0. */
	struct bpf_object *obj = eh_open_quietly(path);
	struct btf *btf;
	int n = 0;

	if (!obj)
		return -errno;
	btf = bpf_object__btf(obj);
	if (!btf) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *sec = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *info;

		if (!btf_is_datasec(sec))
			continue;
		info = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, info++) {
			const struct btf_type *var = btf__type_by_id(btf, info->type);
			struct eh_var *v;

			if (!btf_is_var(var))
				continue;
			if (n++ >= cap)
				continue; /* only counted: Go calls again with room */
			v = &out[n - 1];
			memset(v, 0, sizeof(*v));
			strncpy(v->name, btf__name_by_offset(btf, var->name_off), sizeof(v->name) - 1);
			strncpy(v->section, btf__name_by_offset(btf, sec->name_off), sizeof(v->section) - 1);
			v->offset = info->offset;
			v->size = info->size;
			describe(btf, var->type, v);
		}
	}
	bpf_object__close(obj);
	return n;
}
