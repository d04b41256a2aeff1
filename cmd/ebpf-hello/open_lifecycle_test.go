package main

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOpenNoFalseLossesAtStart: a child floods opens while `open -n 1`
// starts. Opens that fire between attaching and creating the perf buffer
// used to fail in bpf_perf_event_output (no reader yet) and be reported as
// "events lost (buffer full)" although no buffer was ever full.
func TestOpenNoFalseLossesAtStart(t *testing.T) {
	for _, buffer := range []string{"perf", "ring"} {
		t.Run(buffer, func(t *testing.T) {
			child := startOpener(t, 1<<30) // runs until the test kills it
			if _, err := io.WriteString(child.stdin, "go\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // let the flood start
			r := runBinary(t, binary(t), "open", "--buffer", buffer, "-n", "1", "--pid", strconv.Itoa(child.pid))
			if r.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			events, lost := summary(t, r.stderr)
			if events != 1 || lost != 0 {
				t.Errorf("%d events, %d lost; want 1 event and no loss (the buffer holds thousands); stderr:\n%s", events, lost, r.stderr)
			}
			if strings.Contains(r.stderr, "warning") {
				t.Errorf("unexpected warning:\n%s", r.stderr)
			}
		})
	}
}
