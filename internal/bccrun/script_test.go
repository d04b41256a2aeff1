package bccrun

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// writeFiles writes name -> text into a fresh directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const choiceScript = `from bcc import BPF
b = BPF(text="int on_done(struct pt_regs *ctx) { return 0; }")
if BPF.get_kprobe_functions(b'__blk_account_io_done'):
    b.attach_kprobe(event="__blk_account_io_done", fn_name="on_done")
elif BPF.get_kprobe_functions(b'blk_account_io_done'):
    b.attach_kprobe(event="blk_account_io_done", fn_name="on_done")
else:
    b.attach_kprobe(event="blk_mq_end_request", fn_name="on_done")
b.trace_print()
`

// The script's get_kprobe_functions reads the tracefs run is given: the
// branch BCC would take there is the one attached.
func TestKernelChoiceFromTracefs(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"disk.py":                            choiceScript,
		"tracefs/available_filter_functions": "blk_mq_start_request\nblk_account_io_done\nblk_mq_end_request\nfoo [some_module]\n",
	})
	o := opts()
	o.Tracefs = filepath.Join(dir, "tracefs")
	p, err := Prepare(Input{Path: filepath.Join(dir, "disk.py"), Options: o})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plan.Attach) != 1 || p.Plan.Attach[0].Target != "blk_account_io_done" || len(p.Plan.Attach[0].Fallback) != 0 {
		t.Errorf("attach %+v, want blk_account_io_done alone", p.Plan.Attach)
	}
	// no list (no tracefs): the alternatives stay, in order, with a note
	o.Tracefs = filepath.Join(dir, "nowhere")
	if p, err = Prepare(Input{Path: filepath.Join(dir, "disk.py"), Options: o}); err != nil {
		t.Fatal(err)
	}
	chain := func(p *bcc.Program) bool {
		a := p.Plan.Attach
		return len(a) == 1 && a[0].Target == "__blk_account_io_done" && len(a[0].Fallback) == 1 && a[0].Fallback[0].Target == "blk_account_io_done" &&
			len(a[0].Fallback[0].Fallback) == 1 && a[0].Fallback[0].Fallback[0].Target == "blk_mq_end_request"
	}
	if !chain(p) || !strings.Contains(strings.Join(p.Plan.Notes, "\n"), "unknown") {
		t.Errorf("without a list: attach %+v notes %q", p.Plan.Attach, p.Plan.Notes)
	}
	// An object for another machine (--emit-object): decided where it runs,
	// even with this machine's list at hand.
	o.Tracefs = filepath.Join(dir, "tracefs")
	if p, err = Prepare(Input{Path: filepath.Join(dir, "disk.py"), Options: o, Elsewhere: true}); err != nil {
		t.Fatal(err)
	}
	if !chain(p) {
		t.Errorf("for another machine: attach %+v", p.Plan.Attach)
	}
}

const argsScript = `from bcc import BPF
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("-p", "--pid", type=int)
args = parser.parse_args()
prog = """
TRACEPOINT_PROBE(sched, sched_switch) {
    FILTER
    bpf_trace_printk("switch\\n");
    return 0;
}
"""
if args.pid:
    prog = prog.replace("FILTER", "if ((bpf_get_current_pid_tgid() >> 32) != %d) return 0;" % args.pid)
else:
    prog = prog.replace("FILTER", "")
b = BPF(text=prog)
b.trace_print()
`

// The script's arguments reach its C through its substitutions.
func TestScriptArguments(t *testing.T) {
	dir := writeFiles(t, map[string]string{"switch.py": argsScript})
	p, err := Prepare(Input{Path: filepath.Join(dir, "switch.py"), Args: []string{"--pid", "4242"}, Options: opts()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.C), "!= 4242) return 0;") {
		t.Errorf("the filter is not in the C:\n%s", p.C)
	}
	if _, err := Prepare(Input{Path: filepath.Join(dir, "switch.py"), Args: []string{"-q"}, Options: opts()}); err == nil ||
		!strings.Contains(err.Error(), "-q") || !strings.Contains(err.Error(), "-p/--pid PID") {
		t.Errorf("-q: error %v, want it refused naming the script's options", err)
	}
	// C takes no arguments of its own
	c := filepath.Join(tutorial, "hello.c")
	if _, err := Prepare(Input{Path: c, Args: []string{"1"}, Options: opts()}); err == nil {
		t.Errorf("arguments for %s were taken", c)
	}
}

const writesScript = `import ctypes as ct
from bcc import BPF
b = BPF(text="""
BPF_ARRAY(config, u32, 1);
BPF_PROG_ARRAY(jumps, 4);
int on_work(void *ctx) { bpf_trace_printk("work\\n"); return 0; }
TRACEPOINT_PROBE(sched, sched_switch) {
    int zero = 0;
    u32 *on = config.lookup(&zero);
    if (on && *on)
        jumps.call(args, 1);
    return 0;
}
""")
b["config"][ct.c_int(0)] = ct.c_uint(1)
work = b.load_func("on_work", BPF.TRACEPOINT)
b["jumps"][ct.c_int(1)] = ct.c_int(work.fd)
b.trace_print()
`

// The script's map writes name the object's maps (config is renamed next
// to vmlinux.h's typedef config) and say who tail-calls a program array.
func TestMapWrites(t *testing.T) {
	dir := writeFiles(t, map[string]string{"writes.py": writesScript})
	o := opts()
	o.KernelNames = &bcc.KernelNames{Ordinary: map[string]bool{"config": true}, Tags: map[string]bool{}}
	p, err := Prepare(Input{Path: filepath.Join(dir, "writes.py"), Options: o})
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.MapWrite{
		{Map: "config_map", Key: "0", Value: "1"},
		{Map: "jumps", Key: "1", Program: "on_work", Kind: runplan.Tracepoint, Callers: []string{"tracepoint__sched__sched_switch"}},
	}
	if !reflect.DeepEqual(p.Plan.MapWrites, want) {
		t.Errorf("map writes\n got %+v\nwant %+v", p.Plan.MapWrites, want)
	}
	if !strings.Contains(string(p.C), "SEC(\"tracepoint\")") {
		t.Errorf("on_work is not a program:\n%s", p.C)
	}
	// the C run --emit prints carries them
	if got, err := runplan.FromSource(p.C); err != nil || got == nil || !reflect.DeepEqual(got.MapWrites, want) {
		t.Errorf("plan in the C: %+v, %v", got, err)
	}
	bad := strings.Replace(writesScript, `b["config"][ct.c_int(0)]`, `b["nope"][ct.c_int(0)]`, 1)
	dir = writeFiles(t, map[string]string{"bad.py": bad})
	if _, err := Prepare(Input{Path: filepath.Join(dir, "bad.py"), Options: o}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("a write into a map the C lacks: %v", err)
	}
}

// When run cannot follow a callback's print it prints its own table, with
// its own column titles: the script's header is left out (before: two
// headers, the script's over run's columns).
func TestHeaderOfOwnTable(t *testing.T) {
	py := `from bcc import BPF
b = BPF(text="""
struct line_t { u32 pid; char text[80]; };
BPF_PERF_OUTPUT(lines);
TRACEPOINT_PROBE(sched, sched_switch) {
    struct line_t l = {};
    lines.perf_submit(args, &l, sizeof(l));
    return 0;
}
""")
print("%-9s %-7s %s" % ("WHEN", "PID", "LINE"))
def show(cpu, data, size):
    e = b["lines"].event(data)
    print("%-9s %-7d %s" % (when(), e.pid, e.text))
b["lines"].open_perf_buffer(show)
while 1:
    b.perf_buffer_poll()
`
	dir := writeFiles(t, map[string]string{"lines.py": py})
	p, err := Prepare(Input{Path: filepath.Join(dir, "lines.py"), Options: opts()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plan.Header) != 0 || !strings.Contains(strings.Join(p.Plan.Notes, "\n"), "header") {
		t.Errorf("header %q notes %q", p.Plan.Header, p.Plan.Notes)
	}
}
