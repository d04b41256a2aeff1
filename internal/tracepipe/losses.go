package tracepipe

import (
	"fmt"
	"time"
)

// LostWarnEvery is the shortest time between two warnings about lost lines:
// a full trace buffer writes a LOST marker per CPU and per read, which was a
// warning line every second or so.
const LostWarnEvery = 10 * time.Second

// LossWarner turns the kernel's "CPU:N [LOST M EVENTS]" lines into
// warnings: it says the first loss at once, then sums losses into at most one
// warning per LostWarnEvery.
type LossWarner struct {
	last    time.Time
	pending uint64 // lost lines not warned about yet
}

// Add counts n lost lines; it returns a warning (and the lines it covers) when one is due.
func (w *LossWarner) Add(n uint64, now time.Time) (string, uint64, bool) {
	w.pending += n
	if !w.last.IsZero() && now.Sub(w.last) < LostWarnEvery {
		return "", 0, false
	}
	w.last = now
	return w.Flush()
}

// Flush returns a warning for the losses not reported yet, if any.
func (w *LossWarner) Flush() (string, uint64, bool) {
	n := w.pending
	if n == 0 {
		return "", 0, false
	}
	w.pending = 0
	return fmt.Sprintf("warning: the kernel dropped %d trace lines (trace buffer full); at most one such warning per %s", n, LostWarnEvery), n, true
}
