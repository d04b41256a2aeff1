package samples

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

// Add inserts a sample in time order. Samples almost always arrive in
// order, so the search from the end stops at once.
func (r *Reorder) Add(sample []byte) {
	r.pending = append(r.pending, held{r.Time(sample), sample})
	for i := len(r.pending) - 1; i > 0 && r.pending[i-1].ts > r.pending[i].ts; i-- {
		r.pending[i-1], r.pending[i] = r.pending[i], r.pending[i-1]
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
