#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include "batch.h"

static int eh_append(struct eh_batch *b, const void *data, size_t size)
{
	size_t need = 4 + ((size + 3) & ~(size_t)3); /* keep lengths 4-byte aligned */
	unsigned int n = size;

	if (b->len + need > b->cap) {
		__atomic_fetch_add(&b->overflow, 1, __ATOMIC_RELAXED);
		return 0;
	}
	memcpy(b->buf + b->len, &n, 4);
	memcpy(b->buf + b->len + 4, data, size);
	b->len += need;
	return 0;
}

/* A perf buffer's records: a sample, or how many samples the kernel
 * dropped before it (reported with the next record that fits). */
static enum bpf_perf_event_ret eh_perf_record(void *ctx, int cpu, struct perf_event_header *h)
{
	struct eh_batch *b = ctx;

	if (h->type == PERF_RECORD_SAMPLE) {
		struct { struct perf_event_header h; __u32 size; char data[]; } *s = (void *)h;

		eh_append(b, s->data, s->size);
	} else if (h->type == PERF_RECORD_LOST) {
		struct { struct perf_event_header h; __u64 id; __u64 lost; } *l = (void *)h;

		__atomic_fetch_add(&b->lost, l->lost, __ATOMIC_RELAXED); /* read by other threads (Lost) */
	}
	return LIBBPF_PERF_EVENT_CONT;
}
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

struct perf_buffer *eh_perf_new(int map_fd, size_t pages, struct eh_batch *b, size_t watermark)
{
	/* What libbpf's perf_buffer__new asks for, but woken only when a
	 * buffer holds watermark bytes (we read on a timer otherwise), and
	 * with the kernel's own count of dropped samples (PERF_FORMAT_LOST,
	 * Linux 6.0): LOST records come only with a later sample, so the
	 * losses after the last one would never be reported. */
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
		.wakeup_watermark = watermark,
		.read_format = PERF_FORMAT_LOST,
	};
	struct perf_buffer *pb = perf_buffer__new_raw(map_fd, pages, &attr, eh_perf_record, b, NULL);

	if (!pb && errno == EINVAL) { /* before 6.0: LOST records only */
		attr.read_format = 0;
		pb = perf_buffer__new_raw(map_fd, pages, &attr, eh_perf_record, b, NULL);
		return pb;
	}
	if (pb)
		b->lost_exact = 1;
	return pb;
}

unsigned long long eh_batch_lost(struct eh_batch *b) { return __atomic_load_n(&b->lost, __ATOMIC_RELAXED); }
unsigned long long eh_batch_overflow(struct eh_batch *b) { return __atomic_load_n(&b->overflow, __ATOMIC_RELAXED); }

long long eh_perf_lost(struct perf_buffer *pb)
{
	unsigned long long total = 0;

	for (size_t i = 0; i < perf_buffer__buffer_cnt(pb); i++) {
		struct { __u64 value, lost; } counts;
		int fd = perf_buffer__buffer_fd(pb, i);

		if (fd < 0)
			continue; /* no buffer on this CPU (offline) */
		if (read(fd, &counts, sizeof(counts)) != sizeof(counts))
			return -errno;
		total += counts.lost;
	}
	return total;
}

struct ring_buffer *eh_ring_new(int map_fd, struct eh_batch *b)
{
	return ring_buffer__new(map_fd, eh_ring_sample, b, NULL);
}
