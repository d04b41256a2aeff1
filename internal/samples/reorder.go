package samples

import (
	"cmp"
	"slices"
)

// Reorder puts samples back in time order.
//
// Each CPU has its own perf buffer, in order, but the reader drains them one
// after another: a sample from CPU 1 can arrive after a later one from CPU 0.
// Holding every sample for a short window (by the kernel's clock) lets such
// latecomers slot in before it.
type Reorder struct {
	Window uint64              // nanoseconds a sample is held
	Time   func([]byte) uint64 // a sample's timestamp (bpf_ktime_get_ns)
	// Max bounds how many samples are held: past it the oldest are
	// released at once, so a flood is printed as it comes.
	Max     int
	pending []held // sorted by time
}

type held struct {
	ts     uint64
	sample []byte
}

// Add inserts samples in time order. A read brings each CPU's samples in
// order, one CPU after another: when they do not simply follow what is
// held, one stable sort puts them in place (inserting them one by one
// would cost as much per sample as there are later ones held).
func (r *Reorder) Add(samples ...[]byte) {
	start := len(r.pending)
	inOrder := true
	for _, sample := range samples {
		h := held{r.Time(sample), sample}
		if n := len(r.pending); n > 0 && r.pending[n-1].ts > h.ts {
			inOrder = false
		}
		r.pending = append(r.pending, h)
	}
	if !inOrder && len(r.pending) > start {
		slices.SortStableFunc(r.pending, func(a, b held) int { return cmp.Compare(a.ts, b.ts) })
	}
}

// Release returns, in order, every sample older than now minus the window
// (all of them when now is 0), and the oldest beyond Max.
func (r *Reorder) Release(now uint64) [][]byte {
	n := 0
	for n < len(r.pending) && (now == 0 || r.pending[n].ts+r.Window <= now || (r.Max > 0 && len(r.pending)-n > r.Max)) {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = r.pending[i].sample
	}
	// Shift the rest to the front, keeping the array for reuse.
	rest := copy(r.pending, r.pending[n:])
	clear(r.pending[rest:])
	r.pending = r.pending[:rest]
	return out
}

// Len is how many samples are held.
func (r *Reorder) Len() int { return len(r.pending) }
