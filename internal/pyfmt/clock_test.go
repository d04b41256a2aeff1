package pyfmt

import (
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// A script's strftime("%H:%M:%S") column is the wall clock when the row is
// printed, as Python's time.strftime gives it.
func TestStrftime(t *testing.T) {
	at := time.Date(2024, 3, 7, 9, 5, 2, 0, time.UTC)
	for _, tt := range []struct{ format, want string }{
		{"%H:%M:%S", "09:05:02"},
		{"%Y-%m-%d %H:%M", "2024-03-07 09:05"},
		{"%b %d %I:%M %p", "Mar 07 09:05 AM"},
		{"%a %A %B %y %j %%", "Thu Thursday March 24 067 %"},
		{"%T", "09:05:02"},
	} {
		got, err := Strftime(tt.format, at)
		if err != nil || got != tt.want {
			t.Errorf("%q: %q, %v; want %q", tt.format, got, err, tt.want)
		}
	}
	if _, err := Strftime("%Q", at); err == nil || !strings.Contains(err.Error(), "%Q") {
		t.Errorf("%%Q: %v", err)
	}
	p := &Printer{P: runplan.Print{Format: "%-9s %-7d", Args: []runplan.PrintArg{{Clock: "%H:%M:%S"}, {Field: "pid"}}},
		Now: func() time.Time { return at }}
	row, err := p.Row(func(string) any { return int64(42) })
	if err != nil || row != "09:05:02  42     " {
		t.Errorf("row %q, %v", row, err)
	}
}
