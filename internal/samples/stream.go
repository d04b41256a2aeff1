package samples

import (
	"context"
	"time"

	"golang.org/x/sys/unix"
)

// Source gives every sample waiting in a buffer (probe.Reader does).
type Source interface {
	Read() ([][]byte, error)
}

// Stream reads a Source every Poll and hands back the samples that are due.
//
// Reading on a timer instead of sleeping until the kernel wakes us: a
// wakeup per event costs the traced program more than writing the event
// itself, while a timer costs nothing per event, and a whole burst then
// crosses from C to Go in one call. A sample waits at most Poll plus the
// reorder window before it is handed back.
type Stream struct {
	src   Source
	order *Reorder // nil: samples are handed back as read
	tick  *time.Ticker
}

// Poll is how often a Stream reads its source.
const Poll = 5 * time.Millisecond

// Window is how long a sample waits for older ones from other CPUs.
const Window = 10 * time.Millisecond

// maxHeld bounds the samples held for ordering.
const maxHeld = 4096

// NewStream reads src on a timer. With ts (a sample's bpf_ktime_get_ns
// timestamp) samples come back in time order; with nil, as read.
func NewStream(src Source, ts func([]byte) uint64) *Stream {
	s := &Stream{src: src, tick: time.NewTicker(Poll)}
	if ts != nil {
		s.order = &Reorder{Window: uint64(Window), Time: ts, Max: maxHeld}
	}
	return s
}

// Next waits for the next read and returns the samples due, oldest first
// (often none). When ctx ends it returns ctx's error: call Drain then.
func (s *Stream) Next(ctx context.Context) ([][]byte, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.tick.C:
	}
	return s.take(MonotonicNow())
}

// Drain returns everything still waiting, in order: at Ctrl-C or the end
// of --duration, samples already written are shown, not dropped.
func (s *Stream) Drain() ([][]byte, error) { return s.take(0) }

func (s *Stream) take(now uint64) ([][]byte, error) {
	read, err := s.src.Read()
	if s.order == nil {
		return read, err
	}
	for _, sample := range read {
		s.order.Add(sample)
	}
	return s.order.Release(now), err
}

// Close stops the timer.
func (s *Stream) Close() { s.tick.Stop() }

// MonotonicNow is the kernel clock bpf_ktime_get_ns reads, in nanoseconds.
func MonotonicNow() uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return uint64(ts.Nano())
}
