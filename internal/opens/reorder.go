package opens

import (
	"github.com/ebpf-hello/ebpf-hello/internal/event"
)

// reorderer puts events back in time order before they are printed.
//
// Each CPU has its own perf buffer, in order, but the reader drains them one
// after another: an open on CPU 1 can arrive after a later one from CPU 0.
// Holding every event for a short window (by the kernel's clock) lets such
// latecomers slot in before it, so the TIME column never goes backwards.
type reorderer struct {
	window  uint64       // nanoseconds an event is held
	pending []event.Open // sorted by TsNs
}

// add inserts e in time order. Events almost always arrive in order, so the
// search from the end stops at once.
func (r *reorderer) add(e *event.Open) {
	r.pending = append(r.pending, *e)
	for i := len(r.pending) - 1; i > 0 && r.pending[i-1].TsNs > r.pending[i].TsNs; i-- {
		r.pending[i-1], r.pending[i] = r.pending[i], r.pending[i-1]
	}
}

// release hands emit, in order, every event older than now minus the window
// (all of them when now is 0). It stops early when emit says stop.
func (r *reorderer) release(now uint64, emit func(*event.Open) (stop bool, err error)) (stop bool, err error) {
	n := 0
	for n < len(r.pending) && (now == 0 || r.pending[n].TsNs+r.window <= now) {
		stop, err = emit(&r.pending[n])
		n++
		if stop || err != nil {
			break
		}
	}
	// Shift the rest to the front, keeping the array for reuse.
	r.pending = r.pending[:copy(r.pending, r.pending[n:])]
	return stop, err
}

func (r *reorderer) len() int { return len(r.pending) }
