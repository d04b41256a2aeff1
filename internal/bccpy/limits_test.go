package bccpy

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// readQuickly reads py and fails when that allocates more than 256 MB
// (these scripts are built to be slow or big to a reader without limits;
// a slow one also shows as a test that takes minutes, but no wall-clock
// bound: a busy machine is no failure). The error, if any, must be one line.
func readQuickly(t *testing.T, py string) (*Script, error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := Read([]byte(py), "big.py")
	runtime.ReadMemStats(&after)
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 256 {
		t.Errorf("%d bytes allocated %d MB", len(py), mb)
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("error of more than one line: %q", err)
	}
	return s, err
}

const bpfLine = "from bcc import BPF\nb = BPF(text='int f(void *ctx) { return 0; }')\n"

// 400 KB of nested brackets used to take a gigabyte of stack and 15 s.
func TestDeepNesting(t *testing.T) {
	for _, py := range []string{
		bpfLine + "x = " + strings.Repeat("(", 400_000) + "\n",
		bpfLine + "x = " + strings.Repeat("[", 400_000) + "\n",
		bpfLine + "x = " + strings.Repeat("{", 400_000) + "\n",
		bpfLine + "x = " + strings.Repeat("(", 200_000) + strings.Repeat(")", 200_000) + "\n",
		bpfLine + "print" + strings.Repeat("(", 400_000) + "\n",
	} {
		_, err := readQuickly(t, py)
		if err == nil || !strings.Contains(err.Error(), "big.py:3:") || !strings.Contains(err.Error(), "200 deep") {
			t.Errorf("%.30q...: %v", py[len(bpfLine):], err)
		}
	}
	// as deep as the limit is fine
	py := bpfLine + "x = " + strings.Repeat("(", MaxDepth-1) + "1" + strings.Repeat(")", MaxDepth-1) + "\nb.trace_print()\n"
	if _, err := readQuickly(t, py); err != nil {
		t.Errorf("%d parentheses: %v", MaxDepth-1, err)
	}
}

// Expressions nested without brackets, and chains as deep as a nesting.
func TestDeepExpressions(t *testing.T) {
	for _, expr := range []string{
		strings.Repeat("-", 400_000) + "1",
		strings.Repeat("not ", 100_000) + "x",
		strings.Repeat("lambda: ", 50_000) + "x",
		strings.Repeat("1 if x else ", 30_000) + "2",
		strings.Repeat("a.", 200_000) + "b",
		"f" + strings.Repeat("()", 200_000),
		"x" + strings.Repeat("[0]", 100_000),
		strings.Repeat("'a' + ", 60_000) + "'a'",
		strings.Repeat("1 + ", 100_000) + "1",
	} {
		for _, line := range []string{"x = " + expr, expr, "print(" + expr + ")"} {
			_, err := readQuickly(t, bpfLine+line+"\n")
			if err == nil || !strings.Contains(err.Error(), "big.py:3:") || !strings.Contains(err.Error(), "200 deep") {
				t.Errorf("%.30q...: %v", line, err)
			}
		}
	}
}

func TestDeepBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString(bpfLine)
	for k := 0; k < 1000; k++ {
		fmt.Fprintf(&b, "%sif x:\n", strings.Repeat(" ", k))
	}
	b.WriteString(strings.Repeat(" ", 1000) + "pass\n")
	_, err := readQuickly(t, b.String())
	if err == nil || !strings.Contains(err.Error(), "200 deep") || !strings.Contains(err.Error(), fmt.Sprintf("big.py:%d:", 3+MaxDepth)) {
		t.Errorf("1000 nested ifs: %v", err)
	}
}

func TestScriptSize(t *testing.T) {
	py := bpfLine + strings.Repeat("# padding\n", MaxScript/10)
	_, err := readQuickly(t, py)
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("%d bytes: %v", len(py), err)
	}
}

// Scripts that make the reader's work grow faster than their size: text
// doubled line after line, literals glued one by one, functions calling
// functions, big values printed or named in notes again and again.
func TestWorkGrowsWithTheScript(t *testing.T) {
	big := "x = '" + strings.Repeat("x", 400_000) + "'\n"
	for _, tt := range []struct{ name, py, want string }{
		{"doubling", "a = 'ab'\n" + strings.Repeat("a = a + a\n", 40), "1 MiB"},
		{"doubling +=", "a = 'ab'\n" + strings.Repeat("a += a\n", 40), "1 MiB"},
		{"literals", "a = " + strings.Repeat("'abc' ", 150_000) + "\n", ""},
		{"calls", callTree(8, 12), "too much"},
		{"prints", big + strings.Repeat("print('%s' % x)\n", 20_000), "too much"},
		{"wide prints", strings.Repeat("print('%65536s' % 'x')\n", 40_000), "too much"},
		{"formats", big + strings.Repeat("print(x.format())\n", 20_000), "too much"},
		{"separators", big + strings.Repeat("print('a', 'b', 'c', 'd', sep=x)\n", 20_000), "1 MiB"},
		{"tables", big + "t = b[x]\n" + strings.Repeat("t.foo()\n", 50_000), "too much"},
		{"texts", big + strings.Repeat("b = BPF(text=x)\n", 30_000), "too much"},
		{"concatenations", big + strings.Repeat("y = x + 'a'\n", 20_000), "too much"},
		{"placeholders", big + "t = 'PID'\n" + strings.Repeat("t = t.replace(x + 'a', 'b')\n", 20_000), "too much"},
		{"fallbacks", "if BPF.get_kprobe_functions(b'x'):\n" + strings.Repeat(" b.attach_kprobe(event='a', fn_name='f')\n", 10_000) +
			"else:\n" + strings.Repeat(" b.attach_kprobe(event='b', fn_name='f')\n", 10_000), "too much"},
		// long texts in notes are cut short
		{"notes", big + "t = b[x]\n" + strings.Repeat("t.foo()\nb.attach_kprobe(event_re=x, fn_name='f')\n", 20), ""},
	} {
		s, err := readQuickly(t, bpfLine+tt.py+"b.trace_print()\n")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
		if s != nil {
			for _, note := range s.Plan.Notes {
				if len(note) > 400 {
					t.Errorf("%s: a note of %d bytes: %.100q...", tt.name, len(note), note)
					break
				}
			}
		}
	}
}

// callTree is a script whose main() calls f1() n times, f1 calls f2 n
// times, ... depth levels: n^depth statements if every call is read.
func callTree(depth, n int) string {
	var b strings.Builder
	for d := 0; d < depth; d++ {
		fmt.Fprintf(&b, "def f%d():\n", d)
		for k := 0; k < n; k++ {
			if d+1 < depth {
				fmt.Fprintf(&b, "    f%d()\n", d+1)
			} else {
				b.WriteString("    b.attach_kprobe(event='vfs_read', fn_name='f')\n")
			}
		}
	}
	b.WriteString("f0()\n")
	return b.String()
}

// The script's substitutions cannot make the program grow without bound.
func TestSubstituteLimit(t *testing.T) {
	s := &Script{Replace: [][2]string{{"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}, {"A", "AAAA"}}}
	c := []byte(strings.Repeat("A", 1000))
	if _, err := s.Substitute(c); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("4^11 times 1000 bytes: %v", err)
	}
	// Source, which cannot fail, gives what Translate then refuses
	out := s.Source(c)
	if len(out) > bcc.MaxSource+1 {
		t.Errorf("Source gave %d bytes", len(out))
	}
	if _, err := bcc.Translate(out, "x.c", bcc.Options{KernelNames: &bcc.KernelNames{}}); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("Translate of Source's output: %v", err)
	}
	s = &Script{Replace: [][2]string{{"A", strings.Repeat("B", 1<<20)}}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out = s.Source(c)
	runtime.ReadMemStats(&after)
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; len(out) != bcc.MaxSource+1 || mb > 64 {
		t.Errorf("Source of 1000 placeholders each replaced by 1 MiB: %d bytes, %d MB allocated", len(out), mb)
	}
	s = &Script{Replace: [][2]string{{"FILTER", "pid != 1"}, {"UNIT", "1000"}}}
	got, err := s.Substitute([]byte("if (FILTER) x /= UNIT; FILTER"))
	if err != nil || string(got) != "if (pid != 1) x /= 1000; pid != 1" || string(s.Source([]byte("FILTER"))) != "pid != 1" {
		t.Errorf("Substitute = %q, %v", got, err)
	}
}

// Tracepoint names go into tracefs paths.
func TestTracepointNames(t *testing.T) {
	for _, tt := range []struct{ call, want string }{
		{`b.attach_tracepoint(tp="../../etc:passwd", fn_name="f")`, `tracepoint category "../../etc" is not a name`},
		{`b.attach_tracepoint(tp="sched:a/../b", fn_name="f")`, `tracepoint event "a/../b" is not a name`},
		{`b.attach_tracepoint(tp="sched_switch", fn_name="f")`, `want category:event`},
		{`b.attach_raw_tracepoint(tp="../x", fn_name="f")`, `raw tracepoint "../x" is not a name`},
	} {
		_, err := Read([]byte(bpfLine+tt.call+"\n"), "tp.py")
		if err == nil || !strings.Contains(err.Error(), "tp.py:3: ") || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", tt.call, err, tt.want)
		}
	}
	s, err := Read([]byte(bpfLine+`b.attach_tracepoint(tp="sched:sched_switch", fn_name="f")`+"\n"), "tp.py")
	if err != nil || !reflect.DeepEqual(s.Attach, []runplan.Attach{{Program: "f", Kind: runplan.Tracepoint, Target: "sched:sched_switch"}}) {
		t.Errorf("a good tracepoint: %+v, %v", s, err)
	}
}
