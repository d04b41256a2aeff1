/* ebpf-hello run: counts the events a ring buffer could not take.
 *
 * The kernel counts a full perf buffer's losses for user space, but not a
 * ring buffer's: bpf_ringbuf_reserve returns NULL, bpf_ringbuf_output an
 * error, and the program usually just returns. So that run can report them
 * ("N events, M lost"), run's compiler includes this header at the end of
 * bpf_helpers.h: the two helpers, called by name, count their failures in
 * the per-CPU map ebpf_hello_lost. A macro's own name in its body is not
 * expanded again, so each still calls the real helper. (The map is global,
 * as libbpf wants maps: every program compiled here has it, and run does
 * not show it.) */
#ifndef EBPF_HELLO_LOST_H
#define EBPF_HELLO_LOST_H

enum ebpf_hello_lost_kind { EBPF_HELLO_LOST_RING = 0 };

/* Plain C types and the UAPI number of BPF_MAP_TYPE_PERCPU_ARRAY (6): a
 * program may bring its own, smaller vmlinux.h. */
struct {
	__uint(type, 6);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} ebpf_hello_lost SEC(".maps");

static __always_inline void ebpf_hello_count_lost(void)
{
	unsigned int key = EBPF_HELLO_LOST_RING;
	unsigned long long *n = bpf_map_lookup_elem(&ebpf_hello_lost, &key);

	if (n)
		*n += 1;
}

static __always_inline void *ebpf_hello_reserved(void *sample)
{
	if (!sample)
		ebpf_hello_count_lost();
	return sample;
}

static __always_inline long ebpf_hello_output(long err)
{
	if (err < 0)
		ebpf_hello_count_lost();
	return err;
}

#define bpf_ringbuf_reserve(ringbuf, size, flags) ebpf_hello_reserved(bpf_ringbuf_reserve(ringbuf, size, flags))
#define bpf_ringbuf_output(ringbuf, data, size, flags) ebpf_hello_output(bpf_ringbuf_output(ringbuf, data, size, flags))

#endif
