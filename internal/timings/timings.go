// Package timings writes `run --timings`: one stderr line per step of a
// run (compile cache, clang, load, attach, first output), each with the
// milliseconds since the command started, so that a slow first run shows
// where its time went.
package timings

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Log writes the steps; a nil *Log writes nothing, so callers pass it down
// without checking.
type Log struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	last  time.Time
}

// New starts a log at start (the command's start), writing to w.
func New(w io.Writer, start time.Time) *Log {
	return &Log{w: w, start: start, last: start}
}

// Mark says that step just ended: "timings: 512 ms (+290 ms) compiled ...".
func (l *Log) Mark(step string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	fmt.Fprintf(l.w, "ebpf-hello: timings: %5d ms (+%d ms) %s\n", ms(now.Sub(l.start)), ms(now.Sub(l.last)), step)
	l.last = now
}

func ms(d time.Duration) int64 { return d.Milliseconds() }
