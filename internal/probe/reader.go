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
	"time"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// Reader takes every sample waiting in a perf event array or ring buffer,
// on demand: the caller reads every few milliseconds, so the kernel never
// has to wake it per event, and a whole burst crosses from C to Go in one
// call. A perf buffer half full wakes a waiting Read at once.
type Reader struct {
	pages int
	batch *C.struct_eh_batch
	perf  *C.struct_perf_buffer
	ring  *C.struct_ring_buffer
}

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
	// Woken when a CPU's buffer is half full: a flood is read while the
	// other half fills, not 5 ms later.
	pb, errno := C.eh_perf_new(C.int(m.FileDescriptor()), C.size_t(pages), r.batch, C.size_t(pages*pageBytes/2))
	if pb == nil {
		r.Close()
		return nil, fmt.Errorf("open perf buffer %s: %w", mapName, errno)
	}
	r.perf = pb
	r.pages = pages
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

// Read waits up to wait, then returns every waiting sample, oldest first
// per CPU. A perf buffer filling past half ends the wait at once; a ring
// buffer's first record after the last read does (unless its program
// writes with BPF_RB_NO_WAKEUP).
// The samples share one new buffer, so they stay valid as long as the
// caller keeps them.
func (r *Reader) Read(wait time.Duration) ([][]byte, error) {
	r.batch.len = 0
	var ret C.int
	if r.perf != nil {
		// The wait's own reading goes into the batch too; EINTR (Go's
		// preemption signals) only ends it early.
		if ret = C.perf_buffer__poll(r.perf, C.int(wait.Milliseconds())); ret < 0 && syscall.Errno(-ret) != syscall.EINTR {
			return nil, fmt.Errorf("wait for samples: %w", syscall.Errno(-ret))
		}
		ret = C.perf_buffer__consume(r.perf)
	} else {
		// Woken by the kernel's adaptive notification: only the first
		// record written after the reader caught up wakes it, so a burst
		// costs one wakeup, and a ring smaller than a burst (libbpf-tools'
		// 256 KiB of 4 KiB opensnoop events) is emptied while it fills.
		// A program writing with BPF_RB_NO_WAKEUP never wakes it: poll
		// then times out without reading, so what waits is read here.
		if ret = C.ring_buffer__poll(r.ring, C.int(wait.Milliseconds())); ret >= 0 || syscall.Errno(-ret) == syscall.EINTR {
			ret = C.ring_buffer__consume(r.ring)
		}
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
// full. Exact says whether that is all of them: before Linux 6.0 the
// kernel tells only with a later sample, so losses after the last sample
// are never seen. A ring buffer's losses are seen only by the BPF program
// (the output helper fails): it must count them itself.
func (r *Reader) Lost() (n uint64, exact bool) {
	if r.perf == nil {
		return 0, false
	}
	n = uint64(C.eh_batch_lost(r.batch))
	if r.batch.lost_exact == 0 {
		return n, false
	}
	if all := C.eh_perf_lost(r.perf); all >= 0 && uint64(all) > n {
		n = uint64(all)
	}
	return n, true
}

// Overflow is how many samples arrived during a Read than its batch could
// hold, and were dropped (sized so it should stay 0). Lost and Overflow
// may be called while another goroutine reads.
func (r *Reader) Overflow() uint64 { return uint64(C.eh_batch_overflow(r.batch)) }

// Pages is a perf buffer's size per CPU, in pages (0 for a ring buffer,
// whose size is the map's).
func (r *Reader) Pages() int { return r.pages }

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
