package bccpy

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

func readFile(t *testing.T, path string) *Script {
	t.Helper()
	py, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(py, path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The tutorial's scripts, unchanged.
func TestTutorialScripts(t *testing.T) {
	kp := []runplan.Attach{{Program: "hello_world", Kind: runplan.Kprobe, Target: "do_sys_openat2"}}
	s := readFile(t, "../bcc/testdata/tutorial/hello.py")
	if s.SourceFile != "hello.c" || !reflect.DeepEqual(s.Attach, kp) {
		t.Errorf("hello.py: src %q attach %+v", s.SourceFile, s.Attach)
	}
	if !reflect.DeepEqual(s.Plan.Outputs, []runplan.Output{{Kind: runplan.TracePipe, Format: "raw"}}) || len(s.Plan.Notes) != 0 {
		t.Errorf("hello.py: outputs %+v notes %q", s.Plan.Outputs, s.Plan.Notes)
	}

	s = readFile(t, "../bcc/testdata/tutorial/hello2.py")
	if s.SourceFile != "trace-open.c" || !reflect.DeepEqual(s.Attach, kp) {
		t.Errorf("hello2.py: src %q attach %+v", s.SourceFile, s.Attach)
	}
	want := runplan.Output{Kind: runplan.Events, Map: "events", Print: &runplan.Print{
		Format: "%-18.9f %-16s %-6d %-16s",
		Args:   []runplan.PrintArg{{Field: "ts", Since: true, Scale: 1e9}, {Field: "comm"}, {Field: "pid"}, {Field: "fname"}},
	}}
	if len(s.Plan.Outputs) != 1 || !reflect.DeepEqual(s.Plan.Outputs[0], want) {
		t.Errorf("hello2.py: outputs %+v (print %+v)", s.Plan.Outputs, s.Plan.Outputs[0].Print)
	}
	// what python3 prints for the header (trailing blanks included)
	if !reflect.DeepEqual(s.Plan.Header, []string{"TIME(s)            COMM             PID    FILE            "}) {
		t.Errorf("hello2.py: header %q", s.Plan.Header)
	}
	if len(s.Plan.Notes) != 0 {
		t.Errorf("hello2.py: notes %q", s.Plan.Notes)
	}
}

func TestScripts(t *testing.T) {
	s := readFile(t, "testdata/fields.py")
	if !strings.Contains(string(s.Text), `bpf_trace_printk("clone\n");`) {
		t.Errorf("fields.py: text %q", s.Text)
	}
	if len(s.Attach) != 1 || s.Attach[0].Target != "__x64_sys_clone" && s.Attach[0].Target != "sys_clone" && !strings.HasSuffix(s.Attach[0].Target, "_sys_clone") {
		t.Errorf("fields.py: attach %+v", s.Attach)
	}
	o := s.Plan.Outputs
	if len(o) != 1 || o[0].Kind != runplan.TracePipe || o[0].Format != "fields" || o[0].Print == nil ||
		o[0].Print.Format != "%-18.9f %-16s %-6d %s" ||
		!reflect.DeepEqual(o[0].Print.Args, []runplan.PrintArg{{Field: "ts"}, {Field: "task"}, {Field: "pid"}, {Field: "msg"}}) {
		t.Errorf("fields.py: outputs %+v", o)
	}

	s = readFile(t, "testdata/hist.py")
	if !reflect.DeepEqual(s.Replace, [][2]string{{"FILTER", ""}, {"UNIT", "1000"}}) {
		t.Errorf("hist.py: replace %q", s.Replace)
	}
	if !reflect.DeepEqual(s.Plan.Outputs, []runplan.Output{{Kind: runplan.Log2Hist, Map: "dist", Title: "usecs", Clear: true}}) {
		t.Errorf("hist.py: outputs %+v", s.Plan.Outputs)
	}
	if s.Plan.Interval != 2*time.Second || !reflect.DeepEqual(s.Plan.Header, []string{"Tracing... Hit Ctrl-C to end."}) {
		t.Errorf("hist.py: interval %v header %q", s.Plan.Interval, s.Plan.Header)
	}
	// args.pid is None without arguments: FILTER is the else branch's ""
	if got := strings.Join(s.Plan.Notes, "\n"); !strings.Contains(got, "options take their defaults") || strings.Contains(got, "FILTER") {
		t.Errorf("hist.py: notes %q", s.Plan.Notes)
	}
	if src := string(s.Source(s.Text)); strings.Contains(src, "FILTER") || !strings.Contains(src, "/ 1000)") {
		t.Errorf("hist.py: substitutions not applied:\n%s", src)
	}

	s = readFile(t, "testdata/items.py")
	wantAttach := []runplan.Attach{
		{Program: "count", Kind: runplan.Tracepoint, Target: "raw_syscalls:sys_enter"},
		{Program: "mallocs", Kind: runplan.Uprobe, Target: "c:malloc"},
		{Program: "switches", Kind: runplan.RawTracepoint, Target: "sched_switch"},
	}
	if s.SourceFile != "counts.c" || !reflect.DeepEqual(s.Attach, wantAttach) {
		t.Errorf("items.py: src %q attach %+v", s.SourceFile, s.Attach)
	}
	if !reflect.DeepEqual(s.Plan.Outputs, []runplan.Output{{Kind: runplan.Items, Map: "counts",
		Print: &runplan.Print{Format: "%-6d %d", Args: []runplan.PrintArg{{Field: "key"}, {Field: "value"}}}}}) {
		t.Errorf("items.py: outputs %+v", s.Plan.Outputs)
	}
	if len(s.Plan.Notes) != 1 || !strings.Contains(s.Plan.Notes[0], "do_something_odd") {
		t.Errorf("items.py: notes %q", s.Plan.Notes)
	}

	s = readFile(t, "testdata/ring.py")
	if s.SourceFile != "ring.c" || len(s.Plan.Outputs) != 1 || s.Plan.Outputs[0].Print == nil ||
		!reflect.DeepEqual(s.Plan.Outputs[0].Print.Args, []runplan.PrintArg{{Field: "ts_ns", Since: true, Scale: 1e6}, {Field: "comm"}, {Field: "size"}}) {
		t.Errorf("ring.py: %+v", s)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	for _, tt := range []struct{ py, want string }{
		{"print('hello')\n", "no BPF(src_file=...) or BPF(text=...)"},
		{"b = BPF(text='''int x;\n", "unterminated string"},
		{"b = BPF(text=make_text())\n", "computed by the script"},
		{"u = USDT()\nb = BPF(text='x', usdt_contexts=[u])\n", "USDT() names neither a pid nor a path"},
	} {
		_, err := Read([]byte(tt.py), "bad.py")
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", tt.py, err, tt.want)
		}
	}
}

func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.py")
	more, _ := filepath.Glob("testdata/items/*.py")
	files = append(files, more...)
	files = append(files, "../bcc/testdata/tutorial/hello.py", "../bcc/testdata/tutorial/hello2.py")
	for _, file := range files {
		py, _ := os.ReadFile(file)
		f.Add(py)
	}
	f.Add([]byte("b = BPF(text=\"\"\"x\"\"\")\nb[\"e\"].open_perf_buffer(cb)\ndef cb(a, b, c):\n e = b[\"e\"].event(b)\n print(\"%d\" % (e.x - (\n"))
	// past the limits (nesting, work, string length) and tracepoint names
	// that are not names: small enough for the fuzzer to mutate
	f.Add([]byte(bpfLine + "x = " + strings.Repeat("([{", MaxDepth/3+1) + "\n"))
	f.Add([]byte(bpfLine + "x = " + strings.Repeat("(", MaxDepth-1) + "1" + strings.Repeat(")", MaxDepth-1) + "\n"))
	f.Add([]byte(bpfLine + "x = " + strings.Repeat("- not ", MaxDepth) + "1 if x else lambda: 2\n"))
	f.Add([]byte(bpfLine + "y = " + strings.Repeat("a.b(c)[d] + ", MaxDepth/4) + "1\n"))
	var blocks strings.Builder
	for k := 0; k <= MaxDepth; k++ {
		blocks.WriteString(strings.Repeat(" ", k) + "if x:\n")
	}
	f.Add([]byte(bpfLine + blocks.String() + strings.Repeat(" ", MaxDepth+1) + "pass\n"))
	f.Add([]byte(bpfLine + callTree(3, 3)))
	f.Add([]byte(bpfLine + "a = 'ab'\n" + strings.Repeat("a += a\n", 21) + "print('%9999s' % a, sep=a)\n"))
	f.Add([]byte(bpfLine + "b.attach_tracepoint(tp=\"../../etc:passwd\", fn_name=\"f\")\nb.attach_raw_tracepoint(tp=\"a/b\", fn_name=\"g\")\n"))
	// conditions, arguments, map writes, set-up loops, clocks
	f.Add([]byte(usageScript))
	f.Add([]byte(argparseScript))
	f.Add([]byte(kernelChoices))
	f.Add([]byte(bpfLine + "import ctypes as ct\nb[\"c\"][ct.c_int(0)] = ct.c_uint(-1)\nf = b.load_func(\"g\", BPF.KPROBE)\nb[\"j\"][2] = f.fd\n"))
	f.Add([]byte(bpfLine + "for a, c in ((\"x\", 1), (\"y\", 2)):\n    b.attach_kprobe(event=a, fn_name=\"f\")\nx = 1 if len(sys.argv) > 2 and not args.p is None else \"%d\" % 3\n"))
	f.Fuzz(func(t *testing.T, py []byte) {
		s, err := Read(py, "fuzz.py")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		for _, n := range s.Plan.Notes {
			if strings.Contains(n, "\n") {
				t.Fatalf("note of more than one line: %q", n)
			}
		}
	})
}

// BCC scripts choose hooks by what the kernel has: an if/else on
// BPF.get_kprobe_functions becomes a fallback, an if alone an optional hook.
func TestKernelAlternatives(t *testing.T) {
	py := `from bcc import BPF
b = BPF(text="int f(void *ctx) { return 0; } int g(void *ctx) { return 0; }")
if BPF.get_kprobe_functions(b'blk_start_request'):
    b.attach_kprobe(event="blk_start_request", fn_name="f")
if BPF.get_kprobe_functions(b'__blk_account_io_done'):
    b.attach_kprobe(event="__blk_account_io_done", fn_name="g")
else:
    b.attach_kprobe(event="blk_account_io_done", fn_name="g")
b.attach_kprobe(event_re="^finish_task_switch$|^finish_task_switch\.isra\.\d$", fn_name="f")
`
	s, err := Read([]byte(py), "alt.py")
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.Attach{
		{Program: "f", Kind: runplan.Kprobe, Target: "blk_start_request", Optional: true},
		{Program: "g", Kind: runplan.Kprobe, Target: "__blk_account_io_done", Fallback: []runplan.Attach{{Program: "g", Kind: runplan.Kprobe, Target: "blk_account_io_done"}}},
		{Program: "f", Kind: runplan.Kprobe, Target: "finish_task_switch"},
	}
	if !reflect.DeepEqual(s.Attach, want) {
		t.Errorf("attach\n got %+v\nwant %+v", s.Attach, want)
	}

	// if/elif/else (disksnoop, bitehist): a chain, one branch at a time,
	// not the other branches attached together.
	py = `from bcc import BPF
b = BPF(text="int g(void *ctx) { return 0; }")
if BPF.get_kprobe_functions(b'blk_account_io_done'):
    b.attach_kprobe(event="blk_account_io_done", fn_name="g")
elif BPF.get_kprobe_functions(b'__blk_account_io_done'):
    b.attach_kprobe(event="__blk_account_io_done", fn_name="g")
else:
    b.attach_kprobe(event="blk_mq_end_request", fn_name="g")
`
	if s, err = Read([]byte(py), "chain.py"); err != nil {
		t.Fatal(err)
	}
	want = []runplan.Attach{{Program: "g", Kind: runplan.Kprobe, Target: "blk_account_io_done", Fallback: []runplan.Attach{
		{Program: "g", Kind: runplan.Kprobe, Target: "__blk_account_io_done", Fallback: []runplan.Attach{
			{Program: "g", Kind: runplan.Kprobe, Target: "blk_mq_end_request"}}}}}}
	if !reflect.DeepEqual(s.Attach, want) {
		t.Errorf("chain\n got %+v\nwant %+v", s.Attach, want)
	}
}

// A sleep in a loop is an interval only when the loop prints maps; a
// trace_fields loop's own arithmetic (ts - start) reaches the print.
func TestLoops(t *testing.T) {
	py := `from bcc import BPF
from time import sleep
b = BPF(src_file="x.c")
for i in range(0, 100): sleep(0.01)
start = 0
while 1:
    (task, pid, cpu, flags, ts, ms) = b.trace_fields()
    if start == 0:
        start = ts
    ts = ts - start
    print("At %.2f s: %s" % (ts, ms))
`
	s, err := Read([]byte(py), "loops.py")
	if err != nil {
		t.Fatal(err)
	}
	if s.Plan.Interval != 0 {
		t.Errorf("interval %v", s.Plan.Interval)
	}
	o := s.Plan.Outputs
	if len(o) != 1 || o[0].Print == nil || !reflect.DeepEqual(o[0].Print.Args, []runplan.PrintArg{{Field: "ts", Since: true}, {Field: "msg"}}) {
		t.Errorf("outputs %+v", o)
	}
	py = `from bcc import BPF
from time import sleep
b = BPF(src_file="x.c")
while True:
    sleep(5)
    for k, v in b["counts"].items():
        print(k.value, v.value)
    b["counts"].clear()
`
	s, err = Read([]byte(py), "items.py")
	if err != nil {
		t.Fatal(err)
	}
	items := runplan.Output{Kind: runplan.Items, Map: "counts", Clear: true,
		Print: &runplan.Print{Format: "%s %s", Args: []runplan.PrintArg{{Field: "key"}, {Field: "value"}}}}
	if s.Plan.Interval != 5*time.Second || !reflect.DeepEqual(s.Plan.Outputs, []runplan.Output{items}) {
		t.Errorf("interval %v outputs %+v", s.Plan.Interval, s.Plan.Outputs)
	}
}

func TestCallbackPrintOfValues(t *testing.T) {
	py := `from bcc import BPF
b = BPF(src_file="x.c")
def cb(cpu, data, size):
    event = b["events"].event(data)
    print(event.pid, event.comm.decode(), sep="\t")
b["events"].open_perf_buffer(cb)
while True:
    b.perf_buffer_poll()
`
	s, err := Read([]byte(py), "values.py")
	if err != nil {
		t.Fatal(err)
	}
	o := s.Plan.Outputs
	if len(o) != 1 || o[0].Print == nil || o[0].Print.Format != "%s\t%s" ||
		!reflect.DeepEqual(o[0].Print.Args, []runplan.PrintArg{{Field: "pid"}, {Field: "comm"}}) {
		t.Errorf("outputs %+v", o)
	}
}

// A script whose work is in main() is read through the call.
func TestMainFunction(t *testing.T) {
	py := `from bcc import BPF
def main():
    b = BPF(src_file="x.c")
    b.attach_tracepoint(tp="sched:sched_switch", fn_name="f")
    b.trace_print()

if __name__ == "__main__":
    main()
`
	s, err := Read([]byte(py), "main.py")
	if err != nil {
		t.Fatal(err)
	}
	if s.SourceFile != "x.c" || len(s.Attach) != 1 || len(s.Plan.Outputs) != 1 {
		t.Errorf("%+v", s)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files of TestItemsLoopGolden")

// Scripts that print a map with an items() loop: what the reader makes of
// each (the loop's print as a %-format or a str.format() template, the
// titles printed before it, the order, and the notes on what it cannot
// follow) is compared with testdata/items/NAME.golden (go test -update
// rewrites them; read the diff).
func TestItemsLoopGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/items/*.py")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/items (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s := readFile(t, file)
			got, err := json.MarshalIndent(struct {
				SourceFile string
				Plan       runplan.Plan
			}{s.SourceFile, s.Plan}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(file, ".py") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from %s:\n%s", file, golden, got)
			}
		})
	}
}

// TestUSDTContexts: USDT(pid=...) from the script's argument, or
// USDT(path=...), and the probes enable_probe names, become USDT attaches
// limited to that process (provider and binary found when it runs).
func TestUSDTContexts(t *testing.T) {
	py := `from bcc import BPF, USDT
import sys
if len(sys.argv) < 2:
    print("usage")
    exit()
pid = sys.argv[1]
u = USDT(pid=int(pid))
u.enable_probe(probe="query__start", fn_name="on_start")
u.enable_probe(probe="mysql:query__done", fn_name="on_done")
v = USDT(path="/usr/bin/node")
v.enable_probe("http__server__request", "on_request")
b = BPF(text="int on_start(void *ctx) { return 0; }", usdt_contexts=[u, v])
b.trace_print()
`
	s, err := ReadWith([]byte(py), "u.py", Options{Args: []string{"4321"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.Attach{
		{Program: "on_start", Kind: runplan.USDT, Target: "::query__start", PID: 4321},
		{Program: "on_done", Kind: runplan.USDT, Target: ":mysql:query__done", PID: 4321},
		{Program: "on_request", Kind: runplan.USDT, Target: "/usr/bin/node::http__server__request"},
	}
	if !reflect.DeepEqual(s.Attach, want) {
		t.Errorf("attach %+v\nwant %+v", s.Attach, want)
	}
	if _, err := ReadWith([]byte(py), "u.py", Options{}); err == nil || !strings.Contains(err.Error(), "after --") {
		t.Errorf("without the PID: %v", err)
	}
}

// TestToolColumns: a row printed in parts under the script's options is
// one print of the columns those options choose; >> and & on a field are
// kept as bits to take; the container filter and support_kfunc are the
// tools' normal path.
func TestToolColumns(t *testing.T) {
	py, err := os.ReadFile("testdata/columns.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args   []string
		format string
		fields []runplan.PrintArg
	}{
		{nil, "%-7d %-16s %d", []runplan.PrintArg{{Field: "id", Shift: 32}, {Field: "comm"}, {Field: "ret"}}},
		{[]string{"-T", "--tid"}, "%-9.3f%-7d %-16s %d", []runplan.PrintArg{{Field: "ts", Since: true, Scale: 1e9}, {Field: "id", Mask: 0xffffffff}, {Field: "comm"}, {Field: "ret"}}},
		{[]string{"-U"}, "%-6d%-7d %-16s %d", []runplan.PrintArg{{Field: "uid"}, {Field: "id", Shift: 32}, {Field: "comm"}, {Field: "ret"}}},
	} {
		s, err := ReadWith(py, "columns.py", Options{Args: tt.args, Arch: "amd64"})
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		o := s.Plan.Outputs
		if len(o) != 1 || o[0].Print == nil || o[0].Print.Format != tt.format || !reflect.DeepEqual(o[0].Print.Args, tt.fields) {
			t.Errorf("%v: outputs %+v", tt.args, o)
			if len(o) == 1 && o[0].Print != nil {
				t.Errorf("  print %q %+v", o[0].Print.Format, o[0].Print.Args)
			}
		}
		if len(s.Attach) != 1 || s.Attach[0].Target != "__x64_sys_openat" {
			t.Errorf("%v: attach %+v", tt.args, s.Attach)
		}
		if !strings.Contains(string(s.Text), "container_should_be_filtered(void) { return 0; }") {
			t.Errorf("%v: no container filter in the text", tt.args)
		}
	}
	if _, err := ReadWith(py, "columns.py", Options{Args: []string{"--cgroupmap", "/sys/fs/bpf/x"}, Arch: "amd64"}); err == nil {
		t.Error("--cgroupmap: no error")
	}
}

// TestPerEventValues: a value the callback sets in an if on the event's
// own fields is not taken from one branch (it would be wrong for the
// others): run prints its own columns and says why.
func TestPerEventValues(t *testing.T) {
	py := `from bcc import BPF
b = BPF(text="struct data_t { int ret; }; BPF_PERF_OUTPUT(events); int f(void *ctx) { return 0; }")
b.attach_tracepoint(tp="syscalls:sys_enter_openat", fn_name="f")
def show(cpu, data, size):
    event = b["events"].event(data)
    if event.ret >= 0:
        fd = event.ret
    else:
        fd = -1
    print("%d" % fd)
b["events"].open_perf_buffer(show)
while 1:
    b.perf_buffer_poll()
`
	s, err := ReadWith([]byte(py), "p.py", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Plan.Outputs) != 1 || s.Plan.Outputs[0].Print != nil || !strings.Contains(strings.Join(s.Plan.Notes, "\n"), "sets in an if on the event") {
		t.Errorf("outputs %+v notes %q", s.Plan.Outputs, s.Plan.Notes)
	}
	// a row whose second part is chosen by the event (shmsnoop's way)
	py = strings.Replace(py, `    if event.ret >= 0:
        fd = event.ret
    else:
        fd = -1
    print("%d" % fd)`, `    print("%d " % event.ret, end="")
    if event.ret == 1:
        print("one")
    else:
        print("other")`, 1)
	s, err = ReadWith([]byte(py), "p.py", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Plan.Outputs) != 1 || s.Plan.Outputs[0].Print != nil || !strings.Contains(strings.Join(s.Plan.Notes, "\n"), "last part depends on the event") {
		t.Errorf("row by the event: outputs %+v notes %q", s.Plan.Outputs, s.Plan.Notes)
	}
}

// TestKernelQuestions: the questions BCC's tools ask before building their
// program: a /proc/sys setting read into BPF(cflags=["-D..."]), a field
// the kernel's task_struct may or may not have, raw tracepoint support.
func TestKernelQuestions(t *testing.T) {
	py := `from bcc import BPF
max_pid = int(open("/proc/sys/kernel/pid_max").read())
text = "STATE"
if BPF.kernel_struct_has_field(b'task_struct', b'__state') == 1:
    text = text.replace("STATE", "prev->__state")
else:
    text = text.replace("STATE", "prev->state")
if BPF.support_raw_tracepoint():
    text += " raw"
b = BPF(text=text, cflags=["-DMAX_PID=%d" % max_pid, "-DDEBUG", "-O3"])
b.trace_print()
`
	for _, has := range []bool{true, false} {
		s, err := ReadWith([]byte(py), "k.py", Options{
			Sysctl:       map[string]string{"/proc/sys/kernel/pid_max": "4194304\n"},
			StructFields: map[string]bool{"task_struct.__state": has},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := "prev->state raw"
		if has {
			want = "prev->__state raw"
		}
		if string(s.Source(s.Text)) != want || !reflect.DeepEqual(s.Defines, []string{"MAX_PID=4194304", "DEBUG"}) {
			t.Errorf("has %v: text %q defines %q", has, s.Source(s.Text), s.Defines)
		}
		if notes := strings.Join(s.Plan.Notes, "\n"); !strings.Contains(notes, `"-O3" is ignored`) {
			t.Errorf("notes %q", notes)
		}
	}
	// unknown setting: the defines cannot be made, and a note says so
	s, err := ReadWith([]byte(py), "k.py", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Defines) != 0 || !strings.Contains(strings.Join(s.Plan.Notes, "\n"), "cflags=...) is computed") {
		t.Errorf("defines %q notes %q", s.Defines, s.Plan.Notes)
	}
}

// TestDictOfSnippets: BCC's tcp tools keep code snippets in a dict of
// dicts and pick one by the script's options.
func TestDictOfSnippets(t *testing.T) {
	py := `import argparse
from bcc import BPF
parser = argparse.ArgumentParser()
parser.add_argument("-c", "--count", action="store_true")
args = parser.parse_args()
struct_init = {
    'ipv4': {'count': "count4();", 'trace': "trace4();"},
    'ipv6': {'count': "count6();", 'trace': "trace6();"},
}
text = "IPV4_CODE IPV6_CODE"
if args.count:
    text = text.replace("IPV4_CODE", struct_init['ipv4']['count'])
    text = text.replace("IPV6_CODE", struct_init['ipv6']['count'])
else:
    text = text.replace("IPV4_CODE", struct_init['ipv4']['trace'])
    text = text.replace("IPV6_CODE", struct_init['ipv6']['trace'])
b = BPF(text=text)
b.trace_print()
`
	for args, want := range map[string]string{"": "trace4(); trace6();", "-c": "count4(); count6();"} {
		var a []string
		if args != "" {
			a = []string{args}
		}
		s, err := ReadWith([]byte(py), "d.py", Options{Args: a})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(s.Source(s.Text)); got != want {
			t.Errorf("%q: text %q, want %q", args, got, want)
		}
	}
}

// TestPerfEventAttach: attach_perf_event as profile.py tries it: a
// hardware event first (not attached, in a note), the cpu-clock fallback
// in its except branch (attached once, at the script's frequency).
func TestPerfEventAttach(t *testing.T) {
	py := `from bcc import BPF, PerfType, PerfHWConfig, PerfSWConfig
b = BPF(text="int do_perf_event(void *ctx) { return 0; }")
try:
    b.attach_perf_event(ev_type=PerfType.HARDWARE, ev_config=PerfHWConfig.CPU_CYCLES, fn_name="do_perf_event", sample_period=0, sample_freq=49)
except Exception:
    b.attach_perf_event(ev_type=PerfType.SOFTWARE, ev_config=PerfSWConfig.CPU_CLOCK, fn_name="do_perf_event", sample_period=0, sample_freq=49)
b.trace_print()
`
	s, err := ReadWith([]byte(py), "p.py", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.Attach{{Program: "do_perf_event", Kind: runplan.PerfEvent, Target: "49"}}
	if !reflect.DeepEqual(s.Attach, want) || !strings.Contains(strings.Join(s.Plan.Notes, "\n"), "CPU_CYCLES): run samples only the cpu-clock") {
		t.Errorf("attach %+v notes %q", s.Attach, s.Plan.Notes)
	}
}

// TestFunctionArguments: a script function called with arguments is read
// with its parameters bound to them (statsnoop's
// try_attach_syscall_probes("stat")), defaults too, and the names are
// back to their own values after the call.
func TestFunctionArguments(t *testing.T) {
	py := `from bcc import BPF
syscall = "outer"
b = BPF(text="int f(void *ctx) { return 0; }")
def attach(syscall, kind="kprobe"):
    fnname = b.get_syscall_fnname(syscall)
    b.attach_kprobe(event=fnname, fn_name="syscall__%s_entry" % syscall)
attach("stat")
attach(syscall="lstat")
b.attach_kprobe(event=syscall, fn_name="after")
b.trace_print()
`
	s, err := ReadWith([]byte(py), "f.py", Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range s.Attach {
		got = append(got, a.Program+"@"+a.Target)
	}
	want := []string{"syscall__stat_entry@__x64_sys_stat", "syscall__lstat_entry@__x64_sys_lstat", "after@outer"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attach %q, want %q", got, want)
	}
}

// TestEventRegex: attach_kprobe(event_re=...) attaches to every function
// the regex matches on this kernel (vfscount's "^vfs_.*"), as BCC does.
func TestEventRegex(t *testing.T) {
	py := `from bcc import BPF
b = BPF(text="int do_count(struct pt_regs *ctx) { return 0; }")
b.attach_kprobe(event_re="^vfs_.*", fn_name="do_count")
b.trace_print()
`
	k := &Kernel{FilterFunctions: []string{"vfs_read", "vfs_write", "do_vfs_ioctl", "vfs_open [ext4]", "vfs_read.cold"}}
	s, err := ReadWith([]byte(py), "v.py", Options{Kernel: k})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range s.Attach {
		got = append(got, a.Target)
	}
	if !reflect.DeepEqual(got, []string{"vfs_read", "vfs_write", "vfs_open"}) {
		t.Errorf("targets %q", got)
	}
	// the kernel's functions unknown: not attached, and a note says how
	s, err = ReadWith([]byte(py), "v.py", Options{})
	if err != nil || len(s.Attach) != 0 || !strings.Contains(strings.Join(s.Plan.Notes, "\n"), `event_re="^vfs_.*") is not supported`) {
		t.Errorf("unknown kernel: attach %+v, notes %q, err %v", s.Attach, s.Plan.Notes, err)
	}
}
