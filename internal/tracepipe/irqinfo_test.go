package tracepipe

import "testing"

// With the irq-info option off (the tutorial's trace_options step), the
// kernel leaves the flags column out; such lines were not parsed, so the
// start marker was never seen and every line was skipped as stale.
func TestParseWithoutFlagsColumn(t *testing.T) {
	l := Parse("           <...>-9940    [000]   5696.742809: tracing_mark_write: hi-marker")
	if !l.Parsed || l.PID != 9940 || l.CPU != 0 || l.Flags != "" || l.Timestamp != "5696.742809" ||
		l.Function != "tracing_mark_write" || l.Message != "hi-marker" {
		t.Errorf("parsed as %+v", l)
	}
	l = Parse("             cat-1234    [001]   1234.567890: bpf_trace_printk: Hello, World!")
	if !l.Parsed || !l.IsBPFPrintk() || l.Task != "cat" || l.Message != "Hello, World!" {
		t.Errorf("parsed as %+v", l)
	}
	// With the column, as before.
	l = Parse("             cat-1234    [001] d..31  1234.567890: bpf_trace_printk: Hello")
	if !l.Parsed || l.Flags != "d..31" || l.Timestamp != "1234.567890" {
		t.Errorf("parsed as %+v", l)
	}
}
