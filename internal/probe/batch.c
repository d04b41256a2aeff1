#include <stdlib.h>
#include <string.h>
#include "batch.h"

static int eh_append(struct eh_batch *b, const void *data, size_t size)
{
	size_t need = 4 + ((size + 3) & ~(size_t)3); /* keep lengths 4-byte aligned */
	unsigned int n = size;

	if (b->len + need > b->cap) {
		b->overflow++;
		return 0;
	}
	memcpy(b->buf + b->len, &n, 4);
	memcpy(b->buf + b->len + 4, data, size);
	b->len += need;
	return 0;
}

static void eh_perf_sample(void *ctx, int cpu, void *data, __u32 size) { eh_append(ctx, data, size); }
static void eh_perf_lost(void *ctx, int cpu, __u64 count) { ((struct eh_batch *)ctx)->lost += count; }
static int eh_ring_sample(void *ctx, void *data, size_t size) { return eh_append(ctx, data, size); }

struct eh_batch *eh_batch_new(size_t cap)
{
	struct eh_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->buf = malloc(cap);
	if (!b->buf) {
		free(b);
		return NULL;
	}
	b->cap = cap;
	return b;
}

void eh_batch_free(struct eh_batch *b)
{
	if (b)
		free(b->buf);
	free(b);
}

struct perf_buffer *eh_perf_new(int map_fd, size_t pages, struct eh_batch *b, unsigned int wakeup_every)
{
	LIBBPF_OPTS(perf_buffer_opts, opts, .sample_period = wakeup_every);

	/* The kernel reports a full buffer's losses with the next sample that
	 * fits: eh_perf_lost adds them up. */
	return perf_buffer__new(map_fd, pages, eh_perf_sample, eh_perf_lost, b, &opts);
}

struct ring_buffer *eh_ring_new(int map_fd, struct eh_batch *b)
{
	return ring_buffer__new(map_fd, eh_ring_sample, b, NULL);
}
