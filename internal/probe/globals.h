/* What Go needs to know about one global variable of a BPF object. */
#ifndef EH_GLOBALS_H
#define EH_GLOBALS_H

enum eh_var_kind {
	EH_VAR_INT = 0,   /* integer, bool, char or enum */
	EH_VAR_CHARS = 1, /* array of 1-byte integers: a string */
	EH_VAR_OTHER = 2, /* struct, pointer, array of wider things... */
};

struct eh_var {
	char name[128];
	char section[64]; /* ".rodata", ".data", ".bss", ".rodata.foo"... */
	unsigned int offset, size;
	int kind;      /* enum eh_var_kind */
	int is_signed; /* EH_VAR_INT */
	int is_bool;   /* EH_VAR_INT */
};

/* eh_read_vars parses the BTF of the object at path and fills up to cap
 * variables of its data sections; returns how many there are, or -errno. */
int eh_read_vars(const char *path, struct eh_var *out, int cap);

#endif
