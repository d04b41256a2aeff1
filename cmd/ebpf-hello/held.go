package main

import (
	"bytes"
	"io"
	"sync"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
)

// heldOutput holds what a run writes until it says it is ready (loaded and
// attached), then writes a note, what it held, and all that follows. A run
// that never gets there leaves nothing behind.
type heldOutput struct {
	mu       sync.Mutex
	w, ew    io.Writer
	note     string
	out, err io.Writer
	held     []heldWrite
	open     bool
}

type heldWrite struct {
	stderr bool
	b      []byte
}

func newHeldOutput(w, ew io.Writer, note string) *heldOutput {
	h := &heldOutput{w: w, ew: ew, note: note}
	h.out = heldWriter{h, false}
	h.err = heldWriter{h, true}
	return h
}

type heldWriter struct {
	h      *heldOutput
	stderr bool
}

func (hw heldWriter) Write(b []byte) (int, error) {
	h := hw.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.open {
		return h.dest(hw.stderr).Write(b)
	}
	h.held = append(h.held, heldWrite{hw.stderr, bytes.Clone(b)})
	if hw.stderr && bytes.Contains(b, []byte(ready.Line)) {
		h.open = true
		io.WriteString(h.ew, h.note)
		for _, w := range h.held {
			if _, err := h.dest(w.stderr).Write(w.b); err != nil {
				return 0, err
			}
		}
		h.held = nil
	}
	return len(b), nil
}

func (h *heldOutput) dest(stderr bool) io.Writer {
	if stderr {
		return h.ew
	}
	return h.w
}

// released: the run got as far as ready, and everything was written.
func (h *heldOutput) released() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.open
}
