package bcc

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// One function attached to several syscalls (as a signal snooper attaches
// one to kill, tkill and tgkill): each target gets its own tracepoint
// fallback (before, only the first had one, and the others failed to
// attach on a kernel without kprobes).
func TestOneFunctionSeveralSyscalls(t *testing.T) {
	src := `int on_call(struct pt_regs *ctx, int fd) {
    bpf_trace_printk("fd %d\n", fd);
    return 0;
}`
	kp := func(target string) runplan.Attach {
		return runplan.Attach{Program: "on_call", Kind: runplan.Kprobe, Target: target}
	}
	p, err := Translate([]byte(src), "calls.c", testOptions(t, kp("sys_read"), kp("sys_openat"), kp("sys_read")))
	if err != nil {
		t.Fatal(err)
	}
	tp := func(prog, ev string) []runplan.Attach {
		return []runplan.Attach{{Program: prog, Kind: runplan.Tracepoint, Target: "syscalls:" + ev}}
	}
	want := []runplan.Attach{kp("__x64_sys_read"), kp("__x64_sys_openat"), kp("__x64_sys_read")}
	want[0].Fallback = tp("on_call__read", "sys_enter_read")
	want[1].Fallback = tp("on_call__openat", "sys_enter_openat")
	if !reflect.DeepEqual(p.Plan.Attach, want) {
		t.Errorf("attach\n got %+v\nwant %+v", p.Plan.Attach, want)
	}
	for _, prog := range []string{"int on_call__read(", "int on_call__openat("} {
		if strings.Count(string(p.C), prog) != 1 {
			t.Errorf("%s is not generated once:\n%s", prog, p.C)
		}
	}
}

// A function a script loads without attaching it (a tail call's target)
// is a program of the kind it was loaded as; the program array's callers
// are known.
func TestLoadedFunctions(t *testing.T) {
	src := `BPF_PROG_ARRAY(jumps, 4);
int on_read(void *ctx) { bpf_trace_printk("read\n"); return 0; }
int on_args(struct pt_regs *ctx, int fd) { bpf_trace_printk("fd %d\n", fd); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_read) {
    jumps.call(args, 2);
    return 0;
}`
	opts := testOptions(t)
	opts.Load = []runplan.Attach{{Program: "on_read", Kind: runplan.Tracepoint}, {Program: "on_args", Kind: runplan.Kprobe}}
	p, err := Translate([]byte(src), "jumps.c", opts)
	if err != nil {
		t.Fatal(err)
	}
	c := string(p.C)
	for _, want := range []string{`SEC\("tracepoint"\)\n(#line .*\n)?int on_read\(`, `SEC\("kprobe"\)\nint on_args\(struct pt_regs \*ctx\)`} {
		if !regexp.MustCompile(want).MatchString(c) {
			t.Errorf("the C lacks %s:\n%s", want, c)
		}
	}
	if !reflect.DeepEqual(p.TailCallers, map[string][]string{"jumps": {"tracepoint__syscalls__sys_enter_read"}}) {
		t.Errorf("tail callers %v", p.TailCallers)
	}
	if len(p.Plan.Attach) != 1 {
		t.Errorf("attach %+v: the loaded functions are attached nowhere", p.Plan.Attach)
	}
	opts.Load = []runplan.Attach{{Program: "nope", Kind: runplan.Kprobe}}
	if _, err := Translate([]byte(src), "jumps.c", opts); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("loading a function the C lacks: %v", err)
	}
}

// A tracepoint this kernel lacks fails in one line saying which case it
// is (here: no such category, or the category without the event), not
// blaming CONFIG_FTRACE_SYSCALLS; an optional one is left to run.
func TestMissingTracepoints(t *testing.T) {
	src := `int on_event(void *ctx) { return 0; }`
	tp := runplan.Attach{Program: "on_event", Kind: runplan.Tracepoint, Target: "random:urandom_read"}
	_, err := Translate([]byte(src), "tp.c", testOptions(t, tp))
	if err == nil || !strings.Contains(err.Error(), "no tracepoint category random") || strings.Contains(err.Error(), "FTRACE_SYSCALLS") {
		t.Errorf("random:urandom_read: %v", err)
	}
	tp.Target = "sched:sched_nope"
	_, err = Translate([]byte(src), "tp.c", testOptions(t, tp))
	if err == nil || !strings.Contains(err.Error(), "category sched has no event sched_nope") {
		t.Errorf("sched:sched_nope: %v", err)
	}
	tp.Optional = true
	if _, err = Translate([]byte(src), "tp.c", testOptions(t, tp)); err != nil {
		t.Errorf("an optional tracepoint: %v", err)
	}
	_, err = Translate([]byte("TRACEPOINT_PROBE(kvm, kvm_exit) { return 0; }"), "tp.c", testOptions(t))
	if err == nil || !strings.Contains(err.Error(), "no tracepoint category kvm") {
		t.Errorf("TRACEPOINT_PROBE(kvm, kvm_exit): %v", err)
	}
}
