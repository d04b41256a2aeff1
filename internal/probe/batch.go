package probe

/*
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

// A batch collects the samples of one consume call in one C buffer, each
// as a 4-byte length and the bytes, so Go gets them all in a single cgo
// call instead of one callback per event.
struct eh_batch {
	char *buf;
	size_t cap, len;
	unsigned long long overflow; // did not fit in buf
};

static int eh_append(struct eh_batch *b, const void *data, size_t size)
{
	size_t need = 4 + ((size + 3) & ~(size_t)3); // keep lengths 4-byte aligned
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
static int eh_ring_sample(void *ctx, void *data, size_t size) { return eh_append(ctx, data, size); }

static struct eh_batch *eh_batch_new(size_t cap)
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

static void eh_batch_free(struct eh_batch *b)
{
	if (b)
		free(b->buf);
	free(b);
}

// wakeup_every: how many samples before the kernel wakes a waiting reader.
// We never wait (we consume on a timer), so a large value spares the
// kernel a wakeup per event.
static struct perf_buffer *eh_perf_new(int map_fd, size_t pages, struct eh_batch *b, unsigned int wakeup_every)
{
	LIBBPF_OPTS(perf_buffer_opts, opts, .sample_period = wakeup_every);

	// No lost callback: open.bpf.c counts full-buffer losses itself, exactly
	// and at once (the kernel reports them only with a later sample).
	return perf_buffer__new(map_fd, pages, eh_perf_sample, NULL, b, &opts);
}

static struct ring_buffer *eh_ring_new(int map_fd, struct eh_batch *b)
{
	return ring_buffer__new(map_fd, eh_ring_sample, b, NULL);
}
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// Reader takes every sample waiting in a perf event array or ring buffer,
// on demand: the caller calls Read on a timer (every few milliseconds), so
// the kernel never has to wake it per event, and a whole burst crosses from
// C to Go in one call.
type Reader struct {
	batch *C.struct_eh_batch
	perf  *C.struct_perf_buffer
	ring  *C.struct_ring_buffer
}

// wakeupEvery is the perf buffer's wakeup_events: see eh_perf_new.
const wakeupEvery = 1 << 20

// PerfReader opens the perf event array mapName with pages pages per CPU
// (a power of two, as libbpf requires).
func (l *Loaded) PerfReader(mapName string, pages int) (*Reader, error) {
	if pages <= 0 || pages&(pages-1) != 0 {
		return nil, fmt.Errorf("perf buffer pages must be a power of two, got %d", pages)
	}
	m, err := l.obj.module.GetMap(mapName)
	if err != nil {
		return nil, fmt.Errorf("find BPF map %s: %w", mapName, err)
	}
	cpus, err := possibleCPUs()
	if err != nil {
		return nil, err
	}
	// One Read can never take more than all the per-CPU buffers hold, twice
	// for what arrives while it runs.
	r, err := newReader(2 * pages * pageBytes * cpus)
	if err != nil {
		return nil, err
	}
	pb, errno := C.eh_perf_new(C.int(m.FileDescriptor()), C.size_t(pages), r.batch, C.uint(wakeupEvery))
	if pb == nil {
		r.Close()
		return nil, fmt.Errorf("open perf buffer %s: %w", mapName, errno)
	}
	r.perf = pb
	return r, nil
}

// RingReader opens the ring buffer mapName.
func (l *Loaded) RingReader(mapName string) (*Reader, error) {
	m, err := l.obj.module.GetMap(mapName)
	if err != nil {
		return nil, fmt.Errorf("find BPF map %s: %w", mapName, err)
	}
	r, err := newReader(2 * int(m.MaxEntries()))
	if err != nil {
		return nil, err
	}
	rb, errno := C.eh_ring_new(C.int(m.FileDescriptor()), r.batch)
	if rb == nil {
		r.Close()
		return nil, fmt.Errorf("open ring buffer %s: %w", mapName, errno)
	}
	r.ring = rb
	return r, nil
}

const pageBytes = 4096

func newReader(capacity int) (*Reader, error) {
	b := C.eh_batch_new(C.size_t(capacity))
	if b == nil {
		return nil, errors.New("allocate the sample batch: out of memory")
	}
	return &Reader{batch: b}, nil
}

// Read hands every waiting sample to fn, oldest first per CPU. The slice
// is only valid during the call: fn must copy what it keeps.
func (r *Reader) Read(fn func(sample []byte)) error {
	r.batch.len = 0
	var ret C.int
	if r.perf != nil {
		ret = C.perf_buffer__consume(r.perf)
	} else {
		ret = C.ring_buffer__consume(r.ring)
	}
	if ret < 0 {
		return fmt.Errorf("read samples: %w", errnoError(-ret))
	}
	data := unsafe.Slice((*byte)(unsafe.Pointer(r.batch.buf)), int(r.batch.len))
	for len(data) >= 4 {
		size := int(binary.NativeEndian.Uint32(data))
		fn(data[4 : 4+size])
		data = data[4+(size+3)&^3:]
	}
	return nil
}

// Overflow is how many samples arrived during a Read than its batch could
// hold, and were dropped (sized so it should stay 0).
func (r *Reader) Overflow() uint64 { return uint64(r.batch.overflow) }

// Close frees the buffer's mappings and the batch.
func (r *Reader) Close() {
	if r.perf != nil {
		C.perf_buffer__free(r.perf)
		r.perf = nil
	}
	if r.ring != nil {
		C.ring_buffer__free(r.ring)
		r.ring = nil
	}
	C.eh_batch_free(r.batch)
	r.batch = nil
}

func possibleCPUs() (int, error) { return bpf.NumPossibleCPUs() }

func errnoError(n C.int) error { return syscall.Errno(n) }
