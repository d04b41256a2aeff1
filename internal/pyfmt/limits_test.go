package pyfmt

import (
	"runtime"
	"strings"
	"testing"
)

// Formats built to be slow or big: a long run of flags or digits, widths
// and precisions past what Format allows, rows of many wide fields.
func TestLimits(t *testing.T) {
	for _, tt := range []struct {
		format string
		args   []any
		want   string // in the error; "" for none
	}{
		{"%" + strings.Repeat("-", 1<<20) + "d", []any{int64(1)}, ""},
		{"%" + strings.Repeat("9", 1<<20) + "d", []any{int64(1)}, "width"},
		{"%." + strings.Repeat("9", 1<<20) + "f", []any{1.0}, "precision"},
		{"%65537d", []any{int64(1)}, "width 65537 is too large"},
		{"%65536d", []any{int64(1)}, ""},
		{"%.1025f", []any{1.0}, "precision 1025 is too large"},
		{strings.Repeat("%65536s", 20), []any{"a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a"}, "longer than 1 MiB"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Sprintf(tt.format, tt.args...)
		runtime.ReadMemStats(&after)
		if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 64 {
			t.Errorf("%.20q...: allocated %d MB", tt.format, mb)
		}
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%.20q...: error %v, want %q", tt.format, err, tt.want)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("%.20q...: an error of %d bytes", tt.format, len(err.Error()))
		}
	}
	many := make([]any, 20)
	for k := range many {
		many[k] = "a"
	}
	if _, err := Format(strings.Repeat("{:65536}", 20), many...); err == nil || !strings.Contains(err.Error(), "longer than 1 MiB") {
		t.Errorf("Format of 20 fields 65536 wide: %v", err)
	}
	if _, err := Format("{:"+strings.Repeat("9", 1<<20)+"}", "a"); err == nil || len(err.Error()) > 200 {
		t.Errorf("Format with a million-digit width: %.200v", err)
	}
}
