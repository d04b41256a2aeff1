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
	unsigned long long lost;     /* samples the kernel dropped (perf buffer full), as reported */
	int lost_exact;              /* the perf buffer can count them all (eh_perf_lost) */
};

struct eh_batch *eh_batch_new(size_t cap);
void eh_batch_free(struct eh_batch *b);

/* The counts, safe to read while another thread reads samples. */
unsigned long long eh_batch_lost(struct eh_batch *b);
unsigned long long eh_batch_overflow(struct eh_batch *b);

/* watermark: how many bytes in a CPU's buffer wake a waiting reader. */
struct perf_buffer *eh_perf_new(int map_fd, size_t pages, struct eh_batch *b, size_t watermark);
/* Every sample the kernel dropped so far (lost_exact only), or -errno. */
long long eh_perf_lost(struct perf_buffer *pb);
struct ring_buffer *eh_ring_new(int map_fd, struct eh_batch *b);

#endif
