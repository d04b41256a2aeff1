package main

import (
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
)

// TestHeldOutput: what a retried run writes appears, after the note, only
// once it is ready; a run that fails before leaves nothing.
func TestHeldOutput(t *testing.T) {
	var out, errOut strings.Builder
	h := newHeldOutput(&out, &errOut, "note\n")
	h.err.Write([]byte("attach: x\n"))
	h.out.Write([]byte("HEADER\n"))
	if out.Len()+errOut.Len() != 0 || h.released() {
		t.Fatalf("written before ready: %q %q", out.String(), errOut.String())
	}
	h.err.Write([]byte(ready.Line + "\n"))
	h.out.Write([]byte("row\n"))
	if !h.released() || out.String() != "HEADER\nrow\n" || errOut.String() != "note\nattach: x\n"+ready.Line+"\n" {
		t.Errorf("after ready: stdout %q, stderr %q", out.String(), errOut.String())
	}

	out.Reset()
	errOut.Reset()
	h = newHeldOutput(&out, &errOut, "note\n")
	h.err.Write([]byte("attach: x\n"))
	if h.released() || out.Len()+errOut.Len() != 0 {
		t.Errorf("a run that never got ready wrote %q %q", out.String(), errOut.String())
	}
}
