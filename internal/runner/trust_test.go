package runner

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// TestMapIntervalHasAFloor: maps are never printed more often than
// MinInterval, whoever asked.
func TestMapIntervalHasAFloor(t *testing.T) {
	for _, c := range []struct {
		in, want time.Duration
		raised   bool
	}{
		{0, 0, false},
		{1, MinInterval, true},
		{MinInterval - 1, MinInterval, true},
		{MinInterval, MinInterval, false},
		{time.Second, time.Second, false},
	} {
		if got, raised := mapInterval(c.in); got != c.want || raised != c.raised {
			t.Errorf("mapInterval(%v) = %v, %v; want %v, %v", c.in, got, raised, c.want, c.raised)
		}
	}
}

// TestMessagesAreOneLine: a name holding a newline and controls cannot
// start a line of stderr, in a notice or an error; a verifier rejection
// keeps its lines.
func TestMessagesAreOneLine(t *testing.T) {
	hostile := "x\x1b]0;t\x07\r\nebpf-hello: error: forged"
	if got := oneLine("attach: " + hostile); got != `attach: x\x1b]0;t\x07\x0d\nebpf-hello: error: forged` {
		t.Errorf("oneLine: %q", got)
	}
	inner := errors.New("uprobe binary " + hostile + ": no such file")
	err := oneLineError(inner)
	if strings.ContainsAny(err.Error(), "\n\r\x1b\x07") || !errors.Is(err, inner) {
		t.Errorf("oneLineError: %q (wraps the error: %v)", err, errors.Is(err, inner))
	}
	rejected := &probe.VerifierError{Program: "p", Tail: []string{"0: (b7) r0 = 0", "R0 !read_ok"}, Err: errors.New("permission denied")}
	if err := oneLineError(rejected); err != error(rejected) {
		t.Errorf("a verifier rejection was changed: %q", err)
	}
}

// TestSafePrintEscapesTheLiteralText: a plan's print keeps its line
// breaks and tabs, and loses every other control.
func TestSafePrintEscapesTheLiteralText(t *testing.T) {
	p := runplan.Print{
		Format: "\x1b]0;t\x07%d\t%s\n",
		Args:   []runplan.PrintArg{{Field: "pid"}, {Text: "\x1b[2J"}},
		Head:   []string{"PID\x9bCOMM"},
	}
	got := safePrint(p)
	if got.Format != "\\x1b]0;t\\x07%d\t%s\n" || got.Args[1].Text != `\x1b[2J` || got.Args[0].Field != "pid" || got.Head[0] != `PID\x9bCOMM` {
		t.Errorf("safePrint: %+v", got)
	}
	if p.Args[1].Text != "\x1b[2J" || p.Head[0] != "PID\x9bCOMM" {
		t.Errorf("safePrint changed the plan's own print: %+v", p)
	}
}
