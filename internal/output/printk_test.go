package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// The tutorial's own example lines.
var tutorialLines = []string{
	`           <...>-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello, World!`,
	` /usr/local/clou-1583    [000] d...1  3129.167824: bpf_trace_printk: Hello, World!`,
}

func printAll(t *testing.T, f PrintkFormat, raws ...string) string {
	t.Helper()
	var out bytes.Buffer
	p := NewPrintkPrinter(&out, f, "en")
	for _, raw := range raws {
		if err := p.Print(tracepipe.Parse(raw)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestFieldsFormatExplainsTheTutorialsLine(t *testing.T) {
	got := printAll(t, PrintkFields, tutorialLines[1])
	for _, want := range []string{
		"/usr/local/clou-1583    [000] d...1  3129.167824: bpf_trace_printk: Hello, World!\n",
		"    task       /usr/local/clou ",
		"    pid        1583 ",
		"    cpu        [000] ",
		"    flags      d...1              irqs off, no reschedule pending, process context, preempt depth 0, migrate-disable depth 1\n",
		"    timestamp  3129.167824 ",
		"    function   bpf_trace_printk ",
		"    message    Hello, World! ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// TestFieldsFormatExplainsBothFlagLayouts: PREEMPT_RT kernels before 6.12
// (Debian's 5.10-rt and 6.1-rt) print 7 flag characters, mainline and later
// RT kernels 5; each is explained in its own layout, in English and Chinese.
func TestFieldsFormatExplainsBothFlagLayouts(t *testing.T) {
	rt := `             cat-1234    [001] d...211  1234.567890: bpf_trace_printk: Hello, World!`
	mainline := `             cat-1234    [001] dn.21  1234.567890: bpf_trace_printk: Hello, World!`
	for _, tt := range []struct {
		lang, line, want string
	}{
		{"en", rt, "    flags      d...211            irqs off, no reschedule pending (or one with PREEMPT_NEED_RESCHED set: this layout shows that as '.' too), no lazy reschedule pending, process context, preempt depth 2, lazy-preempt depth 1, migrate-disable depth 1\n"},
		{"zh", rt, "    flags      d...211            中断关闭，没有待处理的重新调度（或者有但同时置了 PREEMPT_NEED_RESCHED：这种格式对此也显示 '.'），没有待处理的延迟重新调度，进程上下文，抢占深度 2，延迟抢占深度 1，禁止迁移深度 1\n"},
		{"en", mainline, "    flags      dn.21              irqs off, reschedule pending (TIF_NEED_RESCHED), process context, preempt depth 2, migrate-disable depth 1\n"},
		{"zh", mainline, "    flags      dn.21              中断关闭，有待处理的重新调度 (TIF_NEED_RESCHED)，进程上下文，抢占深度 2，禁止迁移深度 1\n"},
	} {
		var out bytes.Buffer
		p := NewPrintkPrinter(&out, PrintkFields, tt.lang)
		if err := p.Print(tracepipe.Parse(tt.line)); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: missing %q in:\n%s", tt.lang, tt.want, out.String())
		}
	}
}

func TestTableFormat(t *testing.T) {
	got := printAll(t, PrintkTable, tutorialLines...)
	want := "" +
		"TASK             PID     CPU FLAGS TIMESTAMP      FUNCTION         MESSAGE\n" +
		"<...>            4792    1   d...1 3129.123047    bpf_trace_printk Hello, World!\n" +
		"/usr/local/clou  1583    0   d...1 3129.167824    bpf_trace_printk Hello, World!\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestTableFormatWithRTFlags: the 7 flag characters of PREEMPT_RT kernels
// before 6.12 keep the columns aligned under their header.
func TestTableFormatWithRTFlags(t *testing.T) {
	got := printAll(t, PrintkTable,
		`             cat-1234    [001] d...211  1234.567890: bpf_trace_printk: Hello, World!`,
		`          <idle>-0       [009] dn.h2..  1234.600001: bpf_trace_printk: Hello, World!`)
	want := "" +
		"TASK             PID     CPU FLAGS   TIMESTAMP      FUNCTION         MESSAGE\n" +
		"cat              1234    1   d...211 1234.567890    bpf_trace_printk Hello, World!\n" +
		"<idle>           0       9   dn.h2.. 1234.600001    bpf_trace_printk Hello, World!\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRawAndUnparsedLinesAreShownAsIs(t *testing.T) {
	odd := "something the parser does not know"
	for _, f := range []PrintkFormat{PrintkRaw, PrintkFields, PrintkTable} {
		got := printAll(t, f, odd)
		if !strings.Contains(got, odd+"\n") {
			t.Errorf("%s format dropped an unparsed line: %q", f, got)
		}
	}
	if got := printAll(t, PrintkRaw, tutorialLines[0]); got != tutorialLines[0]+"\n" {
		t.Errorf("raw changed the line: %q", got)
	}
}

func TestJSONFormat(t *testing.T) {
	got := printAll(t, PrintkJSON, tutorialLines[0])
	var l tracepipe.Line
	if err := json.Unmarshal([]byte(got), &l); err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if l.Task != "<...>" || l.PID != 4792 || l.CPU != 1 || l.Flags != "d...1" || l.Timestamp != "3129.123047" || l.Function != "bpf_trace_printk" || l.Message != event.HelloMessage {
		t.Errorf("JSON fields %+v", l)
	}
}

func TestParsePrintkFormat(t *testing.T) {
	for _, s := range []string{"fields", "table", "raw", "json"} {
		if _, err := ParsePrintkFormat(s); err != nil {
			t.Errorf("ParsePrintkFormat(%q): %v", s, err)
		}
	}
	if _, err := ParsePrintkFormat("xml"); err == nil {
		t.Error("ParsePrintkFormat(xml) succeeded")
	}
}

// A task name and a message with terminal escapes, a forged line and bytes
// that are not UTF-8: every format must show them escaped.
var hostileLines = []string{
	"        \x1b]0;pwn\x07-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello \xff\u009b\x1b[2J",
	"   \x1b]0;pwn\x07-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello\n  fake-1 [000] ....  1.0: bpf_trace_printk: \xff\u009b",
}

func TestHostileTextIsEscapedInEveryFormat(t *testing.T) {
	for _, f := range []PrintkFormat{PrintkFields, PrintkTable, PrintkRaw, PrintkJSON} {
		got := printAll(t, f, hostileLines...)
		for _, c := range got {
			if (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == utf8.RuneError {
				t.Errorf("%s: a raw %U reached the output:\n%q", f, c, got)
				break
			}
		}
		if f != PrintkJSON && !strings.Contains(got, `\x1b]0;pwn\x07`) {
			t.Errorf("%s: the escaped task is missing:\n%s", f, got)
		}
	}
	if l := tracepipe.Parse(hostileLines[0]); !l.Parsed || l.Task != "\x1b]0;pwn\x07" {
		t.Fatalf("the first hostile line should parse: %+v", l)
	}
	for _, line := range hostileLines {
		var l tracepipe.Line
		if err := json.Unmarshal([]byte(printAll(t, PrintkJSON, line)), &l); err != nil {
			t.Fatal(err)
		}
		if raw, err := textsafe.Unescape(l.Raw); err != nil || raw != line {
			t.Errorf("JSON raw %q does not unescape to the line (%v)", l.Raw, err)
		}
		if l.Parsed {
			if msg, err := textsafe.Unescape(l.Message); err != nil || msg != "Hello \xff\u009b\x1b[2J" {
				t.Errorf("JSON message %q does not unescape to the message (%v)", l.Message, err)
			}
		}
	}
}

func FuzzPrinters(f *testing.F) {
	f.Add(tutorialLines[0])
	f.Add(hostileLines[0])
	f.Add(hostileLines[1])
	f.Add("CPU:1 [LOST 3 EVENTS]")
	f.Fuzz(func(t *testing.T, raw string) {
		for _, format := range []PrintkFormat{PrintkFields, PrintkTable, PrintkRaw, PrintkJSON} {
			got := printAll(t, format, raw)
			if !utf8.ValidString(got) || strings.ContainsAny(got, "\x1b\r\x00") {
				t.Fatalf("%s: unsafe output %q", format, got)
			}
		}
		var l tracepipe.Line
		if err := json.Unmarshal([]byte(printAll(t, PrintkJSON, raw)), &l); err != nil {
			t.Fatalf("invalid PrintkJSON for %q: %v", raw, err)
		}
	})
}
