package bccpy

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// BCC's first lesson is one line: BPF(text=...) and trace_print() on the
// object it makes, never named.
func TestOneLineScript(t *testing.T) {
	py := `#!/usr/bin/python3
from bcc import BPF
BPF(text='int kprobe__sys_clone(void *ctx) { bpf_trace_printk("a new task\\n"); return 0; }').trace_print()
`
	s, err := Read([]byte(py), "oneline.py")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s.Text), `bpf_trace_printk("a new task\n")`) {
		t.Errorf("text %q", s.Text)
	}
	if !reflect.DeepEqual(s.Plan.Outputs, []runplan.Output{{Kind: runplan.TracePipe, Format: "raw"}}) || len(s.Plan.Notes) != 0 {
		t.Errorf("outputs %+v notes %q", s.Plan.Outputs, s.Plan.Notes)
	}
	// the same, attaching through the unnamed object
	py = `from bcc import BPF
BPF(text='int f(void *ctx) { return 0; }').attach_tracepoint(tp="sched:sched_switch", fn_name="f")
`
	if s, err = Read([]byte(py), "oneline2.py"); err != nil {
		t.Fatal(err)
	}
	if want := []runplan.Attach{{Program: "f", Kind: runplan.Tracepoint, Target: "sched:sched_switch"}}; !reflect.DeepEqual(s.Attach, want) {
		t.Errorf("attach %+v", s.Attach)
	}
}

// A disk I/O script in the bitehist/disksnoop style: which function it
// probes depends on the kernel.
const kernelChoices = `from bcc import BPF
b = BPF(text="""
int on_start(struct pt_regs *ctx) { return 0; }
int on_done(struct pt_regs *ctx) { return 0; }
""")
if BPF.get_kprobe_functions(b'blk_start_request'):
    b.attach_kprobe(event="blk_start_request", fn_name="on_start")
b.attach_kprobe(event="blk_mq_start_request", fn_name="on_start")
if BPF.get_kprobe_functions(b'__blk_account_io_done'):
    b.attach_kprobe(event="__blk_account_io_done", fn_name="on_done")
elif BPF.get_kprobe_functions(b'blk_account_io_done'):
    b.attach_kprobe(event="blk_account_io_done", fn_name="on_done")
else:
    b.attach_kprobe(event="blk_mq_end_request", fn_name="on_done")
if not BPF.get_kprobe_functions(b'^vfs_(read|write)$'):
    print("no vfs functions")
b.trace_print()
`

// BPF.get_kprobe_functions is evaluated as BCC does on the running kernel
// (a function is listed when available_filter_functions has it, the
// regex matching the whole name), given that list as data: the branch
// BCC takes is the only one attached.
func TestKernelChoices(t *testing.T) {
	kp := func(target, fn string) runplan.Attach {
		return runplan.Attach{Program: fn, Kind: runplan.Kprobe, Target: target}
	}
	for _, tt := range []struct {
		name      string
		functions []string
		want      []runplan.Attach
		header    []string
	}{
		{"6.x", []string{"blk_mq_start_request", "blk_mq_end_request", "vfs_read", "vfs_write", "vfs_readv"},
			[]runplan.Attach{kp("blk_mq_start_request", "on_start"), kp("blk_mq_end_request", "on_done")}, nil},
		{"5.10", []string{"blk_mq_start_request", "blk_account_io_done", "blk_mq_end_request", "vfs_read"},
			[]runplan.Attach{kp("blk_mq_start_request", "on_start"), kp("blk_account_io_done", "on_done")}, nil},
		{"4.x", []string{"blk_start_request", "blk_mq_start_request", "__blk_account_io_done", "blk_account_io_done", "vfs_write [some_module]"},
			[]runplan.Attach{kp("blk_start_request", "on_start"), kp("blk_mq_start_request", "on_start"), kp("__blk_account_io_done", "on_done")}, nil},
		// a compiler-renamed copy is not the function BCC's regex names
		{"renamed", []string{"blk_mq_start_request", "blk_account_io_done.isra.0", "blk_mq_end_request"},
			[]runplan.Attach{kp("blk_mq_start_request", "on_start"), kp("blk_mq_end_request", "on_done")},
			[]string{"no vfs functions"}},
		// BCC reads an unreadable list (EPERM) as empty: every else
		{"unreadable", []string{},
			[]runplan.Attach{kp("blk_mq_start_request", "on_start"), kp("blk_mq_end_request", "on_done")},
			[]string{"no vfs functions"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadWith([]byte(kernelChoices), "disk.py", Options{Kernel: &Kernel{FilterFunctions: tt.functions}})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Attach, tt.want) {
				t.Errorf("attach\n got %+v\nwant %+v", s.Attach, tt.want)
			}
			if !reflect.DeepEqual(s.Plan.Header, tt.header) {
				t.Errorf("header %q, want %q", s.Plan.Header, tt.header)
			}
		})
	}
	// Without the list (not readable here), the branches stay
	// alternatives for run to try, one branch after the other.
	s, err := ReadWith([]byte(kernelChoices), "disk.py", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Attach) != 3 || !s.Attach[0].Optional || len(s.Attach[2].Fallback) != 1 || len(s.Attach[2].Fallback[0].Fallback) != 1 {
		t.Errorf("without the kernel's list: %+v", s.Attach)
	}
}

const usageScript = `import sys
from bcc import BPF
usage = "usage: %s PID" % sys.argv[0]
if len(sys.argv) < 2:
    print(usage)
    exit(1)
pid = sys.argv[1]
prog = """
int on_switch(void *ctx) {
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (pid != TARGET) { return 0; }
    bpf_trace_printk("switch\\n");
    return 0;
}
"""
b = BPF(text=prog.replace("TARGET", pid))
b.attach_tracepoint(tp="sched:sched_switch", fn_name="on_switch")
print("Tracing pid %s" % pid)
b.trace_print()
`

const argparseScript = `from bcc import BPF
import argparse
parser = argparse.ArgumentParser(description="lines a shell reads")
parser.add_argument("-p", "--pid", type=int, help="this process only")
parser.add_argument("-x", "--failed", action="store_true", help="failures only")
parser.add_argument("-l", "--lib", nargs="?", const="/lib/libreadline.so", type=str, help="the library")
parser.add_argument("--ebpf", action="store_true", help=argparse.SUPPRESS)
args = parser.parse_args()
prog = """
int on_line(struct pt_regs *ctx) {
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    PID_FILTER
    bpf_trace_printk("line\\n");
    return 0;
}
"""
if args.pid:
    prog = prog.replace("PID_FILTER", "if (pid != %d) { return 0; }" % args.pid)
else:
    prog = prog.replace("PID_FILTER", "")
if args.ebpf:
    print(prog)
    exit()
if args.failed and args.pid is None:
    parser.error("-x needs -p")
name = args.lib if args.lib else "/bin/bash"
b = BPF(text=prog)
b.attach_uretprobe(name=name, sym="readline", fn_name="on_line")
try:
    b.trace_print()
except Exception as e:
    print("error: %s" % e)
    exit(1)
`

// A script's usage and error branches (those ending in exit(),
// sys.exit(), parser.error() or raise) are not its output: the normal
// path is followed. Its arguments, given after -- to run, are its
// sys.argv, and argparse's options take them or their defaults.
func TestScriptArguments(t *testing.T) {
	s, err := ReadWith([]byte(usageScript), "usage.py", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Plan.Header) != 0 || !reflect.DeepEqual(s.Globals, []string{"TARGET"}) {
		t.Errorf("no arguments: header %q globals %q; want no usage line, TARGET a global", s.Plan.Header, s.Globals)
	}
	if notes := strings.Join(s.Plan.Notes, "\n"); !strings.Contains(notes, "usage.py:4:") || !strings.Contains(notes, "--") {
		t.Errorf("no arguments: notes %q; want the stop at line 4 and how to give arguments", s.Plan.Notes)
	}
	s, err = ReadWith([]byte(usageScript), "usage.py", Options{Args: []string{"1234"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Replace, [][2]string{{"TARGET", "1234"}}) || len(s.Globals) != 0 ||
		!reflect.DeepEqual(s.Plan.Header, []string{"Tracing pid 1234"}) {
		t.Errorf("argument 1234: replace %q globals %q header %q", s.Replace, s.Globals, s.Plan.Header)
	}

	for _, tt := range []struct {
		args   []string
		filter string
	}{
		{nil, ""},
		{[]string{"-p", "42"}, "if (pid != 42) { return 0; }"},
		{[]string{"--pid=42", "-x"}, "if (pid != 42) { return 0; }"},
		{[]string{"-xp42"}, "if (pid != 42) { return 0; }"},
	} {
		s, err := ReadWith([]byte(argparseScript), "lines.py", Options{Args: tt.args})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(s.Replace, [][2]string{{"PID_FILTER", tt.filter}}) {
			t.Errorf("%q: replace %q, want PID_FILTER by %q", tt.args, s.Replace, tt.filter)
		}
		want := []runplan.Attach{{Program: "on_line", Kind: runplan.Uretprobe, Target: "/bin/bash:readline"}}
		if !reflect.DeepEqual(s.Attach, want) || len(s.Plan.Header) != 0 {
			t.Errorf("%q: attach %+v header %q", tt.args, s.Attach, s.Plan.Header)
		}
		for _, n := range s.Plan.Notes {
			if strings.Contains(n, "not reproduced") || strings.Contains(n, "not read") {
				t.Errorf("%q: note %q", tt.args, n)
			}
		}
	}
	s, err = ReadWith([]byte(argparseScript), "lines.py", Options{Args: []string{"-l"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Attach) != 1 || s.Attach[0].Target != "/lib/libreadline.so:readline" {
		t.Errorf("-l: attach %+v", s.Attach)
	}
	// an option the script does not have is refused, as argparse does,
	// and -h lists the options (but the hidden --ebpf)
	if _, err := ReadWith([]byte(argparseScript), "lines.py", Options{Args: []string{"--nope"}}); err == nil ||
		!strings.Contains(err.Error(), "--nope") {
		t.Errorf("--nope: error %v", err)
	}
	_, err = ReadWith([]byte(argparseScript), "lines.py", Options{Args: []string{"-h"}})
	if err == nil || !strings.Contains(err.Error(), "-p/--pid PID, -x/--failed, -l/--lib LIB") || strings.Contains(err.Error(), "ebpf") {
		t.Errorf("-h: error %v", err)
	}
}

// Values a script writes into maps before it starts, and programs it
// loads into a program array for tail calls, are in the plan for run to
// write; writes while tracing are not.
func TestMapWrites(t *testing.T) {
	py := `import ctypes as ct
from bcc import BPF
b = BPF(src_file="tail.c")
b["config"][ct.c_int(0)] = ct.c_int(1)
limits = b.get_table("limits")
limits[ct.c_uint(3)] = ct.c_ulonglong(0x1000)
limits[limits.Key(4)] = limits.Leaf(-1)
jumps = b.get_table("jumps")
fn = b.load_func("on_read", BPF.TRACEPOINT)
jumps[ct.c_int(2)] = ct.c_int(fn.fd)
jumps[ct.c_int(5)] = b.load_func("on_write", BPF.TRACEPOINT)
b["config"][ct.c_int(1)] = ct.c_int(os.getpid())
b.trace_print()
b["config"][ct.c_int(0)] = ct.c_int(0)
`
	s, err := Read([]byte(py), "tail.py")
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.MapWrite{
		{Map: "config", Key: "0", Value: "1"},
		{Map: "limits", Key: "3", Value: "4096"},
		{Map: "limits", Key: "4", Value: "-1"},
		{Map: "jumps", Key: "2", Program: "on_read", Kind: runplan.Tracepoint},
		{Map: "jumps", Key: "5", Program: "on_write", Kind: runplan.Tracepoint},
	}
	if !reflect.DeepEqual(s.Plan.MapWrites, want) {
		t.Errorf("map writes\n got %+v\nwant %+v", s.Plan.MapWrites, want)
	}
	loads := []runplan.Attach{{Program: "on_read", Kind: runplan.Tracepoint}, {Program: "on_write", Kind: runplan.Tracepoint}}
	if !reflect.DeepEqual(s.Loads, loads) {
		t.Errorf("loads %+v", s.Loads)
	}
	notes := strings.Join(s.Plan.Notes, "\n")
	if !strings.Contains(notes, "tail.py:12: config[1] = ...: a value run cannot compute") || !strings.Contains(notes, "tail.py:14: config[...] = ... while tracing: not written") {
		t.Errorf("notes %q", s.Plan.Notes)
	}
}

// A callback's strftime("%H:%M:%S") column is a wall clock argument of its
// print (before: the print was not followed, and run printed its own
// table under the script's header: two headers).
func TestCallbackClock(t *testing.T) {
	py := `from bcc import BPF
from time import strftime
import datetime
b = BPF(src_file="x.c")
print("%-9s %-7s %s" % ("TIME", "PID", "COMMAND"))
def show(cpu, data, size):
    e = b["lines"].event(data)
    print("%-9s %-7d %s" % (strftime("%H:%M:%S"), e.pid, e.text.decode('utf-8', 'replace')))
def show2(cpu, data, size):
    e = b["more"].event(data)
    print("%s %s" % (datetime.datetime.now().strftime("%Y-%m-%d").encode('ascii'), e.pid))
b["lines"].open_perf_buffer(show)
b["more"].open_perf_buffer(show2)
while 1:
    b.perf_buffer_poll()
`
	s, err := Read([]byte(py), "lines.py")
	if err != nil {
		t.Fatal(err)
	}
	o := s.Plan.Outputs
	if len(o) != 2 || o[0].Print == nil || o[1].Print == nil {
		t.Fatalf("outputs %+v notes %q", o, s.Plan.Notes)
	}
	if want := []runplan.PrintArg{{Clock: "%H:%M:%S"}, {Field: "pid"}, {Field: "text"}}; !reflect.DeepEqual(o[0].Print.Args, want) {
		t.Errorf("args %+v", o[0].Print.Args)
	}
	if o[1].Print.Args[0].Clock != "%Y-%m-%d" {
		t.Errorf("args %+v", o[1].Print.Args)
	}
}

// A for loop over a literal list at set-up (attaching one function to
// kill, tkill and tgkill) is read once per element, and is not a tracing
// loop: the print after it is still the header.
func TestSetupLoop(t *testing.T) {
	py := `from bcc import BPF
b = BPF(src_file="sig.c")
for name in ["kill", "tkill"]:
    b.attach_kprobe(event=b.get_syscall_fnname(name), fn_name="on_signal")
for tp, fn in (("signal:signal_generate", "on_generate"),):
    b.attach_tracepoint(tp=tp, fn_name=fn)
print("%-7s %s" % ("PID", "SIG"))
b.trace_print()
`
	s, err := Read([]byte(py), "sig.py")
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.Attach{
		{Program: "on_signal", Kind: runplan.Kprobe, Target: bcc.SyscallPrefix(runtime.GOARCH) + "kill"},
		{Program: "on_signal", Kind: runplan.Kprobe, Target: bcc.SyscallPrefix(runtime.GOARCH) + "tkill"},
		{Program: "on_generate", Kind: runplan.Tracepoint, Target: "signal:signal_generate"},
	}
	if !reflect.DeepEqual(s.Attach, want) {
		t.Errorf("attach\n got %+v\nwant %+v", s.Attach, want)
	}
	if !reflect.DeepEqual(s.Plan.Header, []string{"PID     SIG"}) || len(s.Plan.Notes) != 0 {
		t.Errorf("header %q notes %q", s.Plan.Header, s.Plan.Notes)
	}
}

// A number the script computes after setting it is not known: a condition
// on it keeps both branches, a map write of it is not made.
func TestComputedNumbers(t *testing.T) {
	py := `import os
import ctypes as ct
from bcc import BPF
b = BPF(src_file="x.c")
target = 0
target = os.getpid()
if target:
    b.attach_tracepoint(tp="sched:sched_switch", fn_name="f")
else:
    b.attach_tracepoint(tp="sched:sched_wakeup", fn_name="g")
b["config"][ct.c_int(0)] = ct.c_int(target)
b.trace_print()
`
	s, err := Read([]byte(py), "computed.py")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Attach) != 2 || len(s.Plan.MapWrites) != 0 {
		t.Errorf("attach %+v, map writes %+v: want both branches and no write", s.Attach, s.Plan.MapWrites)
	}
}

// In a loop, what the loop itself changes is not known: a condition on it
// keeps its branches (a header every tenth interval, say).
func TestLoopVariables(t *testing.T) {
	py := `from bcc import BPF
from time import sleep
b = BPF(src_file="x.c")
n = 0
while True:
    sleep(1)
    n = n + 1
    if n == 10:
        print("tenth")
    b["counts"].print_log2_hist("usecs")
`
	s, err := Read([]byte(py), "loop.py")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(s.Plan.Notes, "\n"), "loop.py:9: this print is not reproduced") {
		t.Errorf("notes %q: the print in the branch was not read", s.Plan.Notes)
	}
}
