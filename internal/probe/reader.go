package probe

/*
#include "batch.h"
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
// on demand: the caller reads on a timer (every few milliseconds), so the
// kernel never has to wake it per event, and a whole burst crosses from C
// to Go in one call.
type Reader struct {
	batch *C.struct_eh_batch
	perf  *C.struct_perf_buffer
	ring  *C.struct_ring_buffer
}

// wakeupEvery is the perf buffer's wakeup_events. We never wait (we read
// on a timer), so a large value spares the kernel a wakeup per event.
const wakeupEvery = 1 << 20

// PerfReader opens the perf event array mapName with pages pages per CPU
// (a power of two, as libbpf requires).
func (l *Loaded) PerfReader(mapName string, pages int) (*Reader, error) {
	if pages <= 0 || pages&(pages-1) != 0 {
		return nil, fmt.Errorf("perf buffer pages must be a power of two, got %d", pages)
	}
	m, err := l.module.GetMap(mapName)
	if err != nil {
		return nil, fmt.Errorf("find BPF map %s: %w", mapName, err)
	}
	cpus, err := bpf.NumPossibleCPUs()
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
	m, err := l.module.GetMap(mapName)
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

// openReaders opens a reader on each buffer, by the map's type.
func (l *Loaded) openReaders(buffers []Buffer) error {
	l.Readers = map[string]*Reader{}
	for _, b := range buffers {
		m, err := l.module.GetMap(b.Map)
		if err != nil {
			return fmt.Errorf("find BPF map %s: %w", b.Map, err)
		}
		var r *Reader
		switch m.Type() {
		case bpf.MapTypePerfEventArray:
			r, err = l.PerfReader(b.Map, b.Pages)
		case bpf.MapTypeRingbuf:
			r, err = l.RingReader(b.Map)
		default:
			err = fmt.Errorf("BPF map %s is a %s, neither a perf event array nor a ring buffer", b.Map, m.Type().Name())
		}
		if err != nil {
			return err
		}
		l.Readers[b.Map] = r
	}
	return nil
}

func newReader(capacity int) (*Reader, error) {
	b := C.eh_batch_new(C.size_t(capacity))
	if b == nil {
		return nil, errors.New("allocate the sample batch: out of memory")
	}
	return &Reader{batch: b}, nil
}

// Read returns every waiting sample, oldest first per CPU. The samples
// share one new buffer, so they stay valid as long as the caller keeps them.
func (r *Reader) Read() ([][]byte, error) {
	r.batch.len = 0
	var ret C.int
	if r.perf != nil {
		ret = C.perf_buffer__consume(r.perf)
	} else {
		ret = C.ring_buffer__consume(r.ring)
	}
	if ret < 0 {
		return nil, fmt.Errorf("read samples: %w", syscall.Errno(-ret))
	}
	if r.batch.len == 0 {
		return nil, nil
	}
	data := C.GoBytes(unsafe.Pointer(r.batch.buf), C.int(r.batch.len))
	var samples [][]byte
	for len(data) >= 4 {
		size := int(binary.NativeEndian.Uint32(data))
		samples = append(samples, data[4:4+size:4+size])
		data = data[4+(size+3)&^3:]
	}
	return samples, nil
}

// Lost is how many samples the kernel dropped because a perf buffer was
// full, as far as it has told us (it reports them with a later sample).
// A ring buffer's losses are seen only by the BPF program (the output
// helper fails): it must count them itself.
func (r *Reader) Lost() uint64 { return uint64(r.batch.lost) }

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
