package output

import (
	"bytes"
	"io"
)

// lines holds a printer's lines and writes them in one go (a write per
// event would cost more than the event), counting the events whose whole
// line reached the writer: a summary must not count what a closed pipe
// cut off.
type lines struct {
	w       io.Writer
	out     []byte // lines not yet written to w
	header  uint64 // header lines in out (not events)
	pending uint64 // events in out, after the header
	written uint64 // events whose line reached w whole
}

// flushAt is how much output is held before it is written without a Flush.
const flushAt = 64 * 1024

func newLines(w io.Writer) lines {
	return lines{w: w, out: make([]byte, 0, flushAt+4096)}
}

// added counts the event line just appended to out, and writes out once
// enough is held.
func (l *lines) added() error {
	l.pending++
	if len(l.out) >= flushAt {
		return l.Flush()
	}
	return nil
}

// Flush writes out buffered lines. After an error, the lines that did not
// reach the writer whole are dropped, and not counted by Written.
func (l *lines) Flush() error {
	if len(l.out) == 0 {
		return nil
	}
	n, err := l.w.Write(l.out)
	if err == nil && n < len(l.out) {
		err = io.ErrShortWrite
	}
	if err != nil {
		// Events whose line reached w whole; the header comes first.
		whole := uint64(bytes.Count(l.out[:n], []byte{'\n'}))
		if whole > l.header {
			l.written += min(whole-l.header, l.pending)
		}
	} else {
		l.written += l.pending
	}
	l.out, l.header, l.pending = l.out[:0], 0, 0
	return err
}

// Written is the number of events printed: their whole line reached the writer.
func (l *lines) Written() uint64 { return l.written }
