/* A batch collects the samples of one consume call in one C buffer, each as
 * a 4-byte length and the bytes, so Go gets them all in a single cgo call
 * instead of one callback per sample. */
#ifndef EH_BATCH_H
#define EH_BATCH_H

#include <stddef.h>
#include <bpf/libbpf.h>

struct eh_batch {
	char *buf;
	size_t cap, len;
	unsigned long long overflow; /* samples that did not fit in buf */
	unsigned long long lost;     /* samples the kernel dropped (perf buffer full) */
};

struct eh_batch *eh_batch_new(size_t cap);
void eh_batch_free(struct eh_batch *b);

/* wakeup_every: how many samples before the kernel wakes a waiting reader. */
struct perf_buffer *eh_perf_new(int map_fd, size_t pages, struct eh_batch *b, unsigned int wakeup_every);
struct ring_buffer *eh_ring_new(int map_fd, struct eh_batch *b);

#endif
