/* What run needs to know about each program of an object before loading it. */
#ifndef EH_INSPECT_H
#define EH_INSPECT_H

struct eh_prog {
	char name[128];
	char section[256];
	int calls_printk; /* calls bpf_trace_printk or bpf_trace_vprintk */
	int reads_ctx;    /* may read through its context pointer (a kprobe's registers) */
};

/* eh_inspect opens (does not load) the object at path and fills up to cap
 * programs; returns how many there are, or -errno. */
int eh_inspect(const char *path, struct eh_prog *out, int cap);

/* eh_open_quietly opens the object at path showing only libbpf's warnings
 * (not its notes); NULL and errno on failure. */
struct bpf_object *eh_open_quietly(const char *path);

#endif
