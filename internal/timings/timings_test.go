package timings

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMarks(t *testing.T) {
	var b strings.Builder
	l := New(&b, time.Now().Add(-time.Second))
	l.Mark("compiled")
	l.Mark("attached")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	re := regexp.MustCompile(`^ebpf-hello: timings: +(\d+) ms \(\+(\d+) ms\) (compiled|attached)$`)
	if len(lines) != 2 || !re.MatchString(lines[0]) || !re.MatchString(lines[1]) {
		t.Fatalf("lines %q", lines)
	}
	if m := re.FindStringSubmatch(lines[0]); m[1] < "1000" && len(m[1]) < 4 {
		t.Errorf("first mark %s ms after a start 1 s ago", m[1])
	}
	var none *Log
	none.Mark("nothing") // a nil log writes nothing, and does not panic
}
