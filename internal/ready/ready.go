// Package ready is the line a command prints once it is tracing.
//
// Scripts, tests and doctor start a command and wait until its programs are
// attached and its output flows before they make the kernel do something.
// They wait for Line, alone on a line of stderr, never for the human
// messages around it, which may be reworded or translated.
package ready

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Line is printed on stderr, on a line of its own, when a command is
// tracing: its programs attached and its buffer or trace_pipe being read.
// Its text is stable: scripts may match it exactly.
const Line = "ebpf-hello: ready"

// Announce prints Line to w (the command's stderr).
func Announce(w io.Writer) error {
	_, err := fmt.Fprintln(w, Line)
	return err
}

// In reports whether text (a command's stderr so far) contains Line as a whole line.
func In(text string) bool {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if sc.Text() == Line {
			return true
		}
	}
	return false
}
