package samples

import (
	"context"
	"io"
	"time"

	"golang.org/x/sys/unix"
)

// Source gives every sample waiting in a buffer (probe.Reader does). Read
// waits up to wait first, returning early when a buffer fills up.
type Source interface {
	Read(wait time.Duration) ([][]byte, error)
}

// Stream reads a Source in its own goroutine and hands back the samples
// that are due.
//
// Reading every few milliseconds instead of being woken by the kernel per
// event: a wakeup per event costs the traced program more than writing the
// event itself, and a whole burst then crosses from C to Go in one call.
// Reading apart from printing: under a flood the buffers are emptied as
// soon as they fill, even while earlier samples are still being printed.
// A sample waits at most Poll plus the reorder window before it is handed
// back.
type Stream struct {
	order   *Reorder // nil: samples are handed back as read
	batches chan batch
	stop    chan struct{}
}

type batch struct {
	samples [][]byte
	err     error
}

// Poll is the longest a Stream waits between two reads.
const Poll = 5 * time.Millisecond

// Window is how long a sample waits for older ones from other CPUs.
const Window = 10 * time.Millisecond

// maxHeld bounds the samples held for ordering.
const maxHeld = 4096

// maxQueued bounds the batches read but not yet taken: past it the reader
// waits, the kernel's buffers fill up, and what they drop is counted.
const maxQueued = 8

// NewStream starts reading src. With ts (a sample's bpf_ktime_get_ns
// timestamp) samples come back in time order; with nil, as read. Close
// stops the reading before src may be closed.
func NewStream(src Source, ts func([]byte) uint64) *Stream {
	s := &Stream{batches: make(chan batch, maxQueued), stop: make(chan struct{})}
	if ts != nil {
		s.order = &Reorder{Window: uint64(Window), Time: ts, Max: maxHeld}
	}
	go s.read(src)
	return s
}

// read sends what src has every Poll at most, and after stop one last
// read of what was written until then.
func (s *Stream) read(src Source) {
	defer close(s.batches)
	for {
		select {
		case <-s.stop:
			read, err := src.Read(0)
			s.batches <- batch{read, err}
			return
		default:
		}
		read, err := src.Read(Poll)
		select {
		case s.batches <- batch{read, err}:
		case <-s.stop:
			s.batches <- batch{read, err}
		}
		if err != nil {
			return
		}
	}
}

// Next waits for the next read and returns the samples due, oldest first
// (often none). Once ctx ends, it stops reading and returns everything
// still waiting, with io.EOF: at Ctrl-C or the end of --duration, samples
// already written are shown, not dropped.
func (s *Stream) Next(ctx context.Context) ([][]byte, error) {
	select {
	case <-ctx.Done():
		return s.drain(nil)
	case b, ok := <-s.batches:
		if !ok {
			return nil, io.EOF
		}
		due, err := s.take(b, MonotonicNow())
		if err == nil && ctx.Err() != nil {
			return s.drain(due)
		}
		return due, err
	}
}

// drain stops reading and returns out plus everything still waiting, in
// order.
func (s *Stream) drain(out [][]byte) ([][]byte, error) {
	s.halt()
	var firstErr error
	for b := range s.batches {
		due, err := s.take(b, 0)
		out = append(out, due...)
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return out, firstErr
	}
	return out, io.EOF
}

func (s *Stream) take(b batch, now uint64) ([][]byte, error) {
	if s.order == nil {
		return b.samples, b.err
	}
	s.order.Add(b.samples...)
	return s.order.Release(now), b.err
}

func (s *Stream) halt() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
}

// Close stops reading and waits until the source is no longer used.
func (s *Stream) Close() {
	s.halt()
	for range s.batches {
	}
}

// MonotonicNow is the kernel clock bpf_ktime_get_ns reads, in nanoseconds.
func MonotonicNow() uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return uint64(ts.Nano())
}
