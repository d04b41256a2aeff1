package pyfmt

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// The wants are what python3 prints for the same format and values.
func TestSprintfMatchesPython(t *testing.T) {
	tests := []struct {
		format string
		args   []any
		want   string
	}{
		{"%-18.9f %-16s %-6d %-16s", []any{0.123456789, "bash", int64(1234), "/etc/passwd"}, "0.123456789        bash             1234   /etc/passwd     "},
		{"%-18s %-16s %-6s %-16s", []any{"TIME(s)", "COMM", "PID", "FILE"}, "TIME(s)            COMM             PID    FILE            "},
		{"%5d|%-5d|%05d|%+d|% d", []any{int64(42), int64(42), int64(42), int64(42), int64(42)}, "   42|42   |00042|+42| 42"},
		{"%x %X %#x %o %#o", []any{int64(255), int64(255), int64(255), int64(8), int64(8)}, "ff FF 0xff 10 0o10"},
		{"%.3f %10.2f %-10.2f| %e %g", []any{3.14159, 2.5, 2.5, 12345.678, 0.0001}, "3.142       2.50 2.50      | 1.234568e+04 0.0001"},
		{"%s %s %s", []any{int64(1), 2.5, 3.0}, "1 2.5 3.0"},
		{"%d %i", []any{3.9, -3.9}, "3 -3"},
		{"%c%c", []any{int64(65), "b"}, "Ab"},
		{"%%%5s%%", []any{"ab"}, "%   ab%"},
		{"%.2s|%-8.3s|", []any{"abcdef", "xyzw"}, "ab|xyz     |"},
		{"%-6d %s", []any{uint64(7), []byte("cat")}, "7      cat"},
	}
	for _, tt := range tests {
		got, err := Sprintf(tt.format, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("Sprintf(%q) = %q, %v; want %q", tt.format, got, err, tt.want)
		}
	}
}

func TestSprintfErrorsLikePython(t *testing.T) {
	for _, tt := range []struct {
		format string
		args   []any
	}{
		{"%d %d", []any{int64(1)}},
		{"%d", []any{int64(1), int64(2)}},
		{"%d", []any{"x"}},
		{"%", nil},
		{"%y", []any{int64(1)}},
		{"%(name)s", []any{"x"}},
	} {
		if _, err := Sprintf(tt.format, tt.args...); err == nil {
			t.Errorf("Sprintf(%q, %v): no error", tt.format, tt.args)
		}
	}
}

// hello2.py's row: time relative to the first event, in seconds.
func TestPrinterRelativeTime(t *testing.T) {
	p := &Printer{P: runplan.Print{Format: "%-18.9f %-16s %-6d", Args: []runplan.PrintArg{
		{Field: "ts", Since: true, Scale: 1e9}, {Field: "comm"}, {Field: "pid"}}}}
	rows := []map[string]any{
		{"ts": uint64(5_000_000_000), "comm": "cat", "pid": uint64(10)},
		{"ts": uint64(6_500_000_001), "comm": "ls", "pid": uint64(11)},
	}
	want := []string{"0.000000000        cat              10    ", "1.500000001        ls               11    "}
	for k, r := range rows {
		got, err := p.Row(func(f string) any { return r[f] })
		if err != nil || got != want[k] {
			t.Errorf("row %d = %q, %v; want %q", k, got, err, want[k])
		}
	}
	if _, err := p.Row(func(string) any { return nil }); err == nil {
		t.Error("a missing field: no error")
	}
}

func FuzzSprintf(f *testing.F) {
	f.Add("%-18.9f %-16s %-6d %-16s", "x", int64(3), 1.5)
	f.Add("%%%5.2s%#o%c", "y", int64(-1), -2.0)
	f.Add("%"+strings.Repeat("-", 100)+"65536.1024f %.1025s %65537d", "z", int64(0), 1e300)
	f.Fuzz(func(t *testing.T, format, s string, i int64, x float64) {
		_, _ = Sprintf(format, s, i, x)
		_, _ = Sprintf(format, x, s)
	})
}

func TestTraceValues(t *testing.T) {
	l := tracepipe.Line{Parsed: true, Task: "cat\x1b[31m", PID: 42, CPU: 1, Flags: "d...1", Timestamp: "3129.123047", Message: "Hello, World!"}
	p := &Printer{P: runplan.Print{Format: "%-18.9f %-16s %-6d %s", Args: []runplan.PrintArg{{Field: "ts"}, {Field: "task"}, {Field: "pid"}, {Field: "msg"}}}}
	got, err := p.Row(TraceValues(l))
	want := `3129.123047000     cat\x1b[31m      42     Hello, World!`
	if err != nil || got != want {
		t.Errorf("row %q, %v; want %q", got, err, want)
	}
}

func TestItemValues(t *testing.T) {
	key := btfview.Value{Kind: btfview.KindRecord, Fields: []btfview.Named{
		{Name: "prev_pid", Value: btfview.Value{Kind: btfview.KindUint, Uint: 7}},
		{Name: "curr_pid", Value: btfview.Value{Kind: btfview.KindUint, Uint: 9}}}}
	val := btfview.Value{Kind: btfview.KindUint, Uint: 42}
	p := &Printer{P: runplan.Print{Format: "task_switch[%5d->%5d]=%u", Args: []runplan.PrintArg{{Field: "key.prev_pid"}, {Field: "key.curr_pid"}, {Field: "value"}}}}
	got, err := p.Row(ItemValues(key, val))
	if want := "task_switch[    7->    9]=42"; err != nil || got != want {
		t.Errorf("row %q, %v; want %q", got, err, want)
	}
}

// The wants are what python3 prints for template.format(*args).
func TestFormatMatchesPython(t *testing.T) {
	tests := []struct {
		template string
		args     []any
		want     string
	}{
		{"{} {} {}", []any{int64(1), "cat", 2.5}, "1 cat 2.5"},
		{"{:<7} {:16} {:>6}|", []any{int64(42), []byte("cat"), uint64(7)}, "42      cat                   7|"},
		{"{:7}|{:>7}|{:^7}|{:*^8}|", []any{"ab", int64(1), "mid", int64(3)}, "ab     |      1|  mid  |***3****|"},
		{"{:08.3f} {:+d} {: d} {:,} {:_}", []any{3.14159, int64(5), int64(5), int64(1234567), int64(1234567)}, "0003.142 +5  5 1,234,567 1_234_567"},
		{"{:#x} {:X} {:o} {:b} {:#o}", []any{int64(255), int64(255), int64(8), int64(5), int64(8)}, "0xff FF 10 101 0o10"},
		{"{:.2e} {:.3g} {:.1%} {}", []any{12345.678, 0.000123456, 0.256, -2.5}, "1.23e+04 0.000123 25.6% -2.5"},
		{"{:.3} {:.2s}|{{}}", []any{2.0, "abcdef"}, "2.0 ab|{}"},
		{"{!s:>5}|{:=+6}", []any{"x", int64(42)}, "    x|+   42"},
		{"{:06d}|{:-^9.2f}", []any{int64(-42), -3.14159}, "-00042|---3.14--"},
	}
	for _, tt := range tests {
		got, err := Format(tt.template, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("Format(%q) = %q, %v; want %q", tt.template, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		template string
		args     []any
	}{
		{"{} {}", []any{int64(1)}},
		{"{:d}", []any{"x"}},
		{"{0}", []any{int64(1)}},
		{"{:{w}}", []any{int64(1)}},
		{"{", []any{int64(1)}},
		{"}", nil},
		{"{:.f}", []any{1.0}},
		{"{:q}", []any{int64(1)}},
	} {
		if _, err := Format(tt.template, tt.args...); err == nil {
			t.Errorf("Format(%q, %v): no error", tt.template, tt.args)
		}
	}
}

func FuzzFormat(f *testing.F) {
	f.Add("{:<16} {:>8.3f} {:#x}", "x", int64(3), 1.5)
	f.Add("{:*^9,} {!s:5} {{}}", "y", int64(-1), -2.0)
	f.Add("{:65536} {:.1025} {:65537} {:99999999999999999999}", "z", int64(0), 1e300)
	f.Fuzz(func(t *testing.T, template, s string, i int64, x float64) {
		_, _ = Format(template, s, i, x)
		_, _ = Format(template, x, s, i)
	})
}

// A script's conversions: inet_ntop(AF_INET, pack("I", x)) of the field
// as the kernel left it in memory, ntohs, inet_ntop(AF_INET6, x).
func TestPrinterConversions(t *testing.T) {
	p := &Printer{P: runplan.Print{Format: "%s %s %d %d", Args: []runplan.PrintArg{
		{Field: "saddr", Convert: runplan.ConvertIPv4}, {Field: "daddr", Convert: runplan.ConvertIPv6},
		{Field: "dport", Convert: runplan.ConvertNtohs}, {Field: "seq", Convert: runplan.ConvertNtohl}}}}
	var saddr [4]byte
	copy(saddr[:], []byte{127, 0, 0, 1})
	six := byteValue{b: append([]byte{0x20, 0x01, 0x0d, 0xb8}, make([]byte, 12)...)}
	port := make([]byte, 2)
	binary.BigEndian.PutUint16(port, 8080)
	seq := make([]byte, 4)
	binary.BigEndian.PutUint32(seq, 7)
	row := map[string]any{
		"saddr": uint64(binary.NativeEndian.Uint32(saddr[:])),
		"daddr": six,
		"dport": uint64(binary.NativeEndian.Uint16(port)),
		"seq":   uint64(binary.NativeEndian.Uint32(seq)),
	}
	got, err := p.Row(func(f string) any { return row[f] })
	if want := "127.0.0.1 2001:db8:: 8080 7"; err != nil || got != want {
		t.Errorf("row %q, %v; want %q", got, err, want)
	}
	row["daddr"] = uint64(1) // not 16 bytes: an error, not a wrong address
	if _, err := p.Row(func(f string) any { return row[f] }); err == nil {
		t.Error("inet_ntop(AF_INET6) of an integer: no error")
	}
}

// TestPrinterBits: event.id >> 32 and event.id & 0xffffffff, the PID and
// thread ID in bpf_get_current_pid_tgid()'s value; a negative number keeps
// its bits, as in Python; a text field is an error.
func TestPrinterBits(t *testing.T) {
	p := &Printer{P: runplan.Print{Format: "%d %d %d", Args: []runplan.PrintArg{
		{Field: "id", Shift: 32}, {Field: "id", Mask: 0xffffffff}, {Field: "neg", Mask: 0xff}}}}
	got, err := p.Row(func(f string) any {
		if f == "neg" {
			return int64(-1)
		}
		return uint64(1234)<<32 | 5678
	})
	if err != nil || got != "1234 5678 255" {
		t.Errorf("row %q, %v", got, err)
	}
	if _, err := p.Row(func(string) any { return "text" }); err == nil {
		t.Error("bits of a text field: no error")
	}
}
