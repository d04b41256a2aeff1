package bcc

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

func translateFile(t *testing.T, path string, attach ...runplan.Attach) *Program {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Translate(src, path, testOptions(t, attach...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func programs(as []runplan.Attach) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Program+"@"+string(a.Kind)+":"+a.Target)
	}
	return out
}

// The tutorial's kprobe on do_sys_openat2 gets the open syscalls'
// tracepoints as fallbacks, with the arguments mapped.
func TestTutorialPlans(t *testing.T) {
	kp := runplan.Attach{Program: "hello_world", Kind: runplan.Kprobe, Target: "do_sys_openat2"}
	for _, tt := range []struct {
		file    string
		outputs []runplan.Output
	}{
		{"hello.c", []runplan.Output{{Kind: runplan.TracePipe}}},
		{"hello2.c", []runplan.Output{{Kind: runplan.Events, Map: "events", Type: "data_t"}}},
	} {
		p := translateFile(t, filepath.Join("testdata/tutorial", tt.file), kp)
		if len(p.Plan.Attach) != 1 || p.Plan.Attach[0].Program != "hello_world" || p.Plan.Attach[0].Target != "do_sys_openat2" {
			t.Fatalf("%s: attach %v", tt.file, p.Plan.Attach)
		}
		got := strings.Join(programs(p.Plan.Attach[0].Fallback), " ")
		want := "hello_world__openat@tracepoint:syscalls:sys_enter_openat hello_world__openat2@tracepoint:syscalls:sys_enter_openat2 " +
			"hello_world__open@tracepoint:syscalls:sys_enter_open hello_world__creat@tracepoint:syscalls:sys_enter_creat"
		if got != want {
			t.Errorf("%s: fallbacks\n got %s\nwant %s", tt.file, got, want)
		}
		if len(p.Plan.Outputs) != len(tt.outputs) || p.Plan.Outputs[0] != tt.outputs[0] {
			t.Errorf("%s: outputs %+v, want %+v", tt.file, p.Plan.Outputs, tt.outputs)
		}
		for _, fb := range p.Plan.Attach[0].Fallback {
			if !strings.Contains(string(p.C), "SEC(\"tracepoint/"+strings.Replace(fb.Target, ":", "/", 1)+"\")\nint "+fb.Program+"(") {
				t.Errorf("%s: no program %s for %s", tt.file, fb.Program, fb.Target)
			}
		}
		if !strings.Contains(string(p.C), `char LICENSE[] SEC("license") = "GPL";`) {
			t.Errorf("%s: no license", tt.file)
		}
	}
	// hello2.c's filename comes from the syscall's second argument on openat
	// and its first on open; `how` is not read, so no note.
	p := translateFile(t, "testdata/tutorial/hello2.c", kp)
	for _, want := range []string{
		"(const char __user *)args->args[1], (struct open_how *)0);",
		"(int)-100, (const char __user *)args->args[0]",
		"bpf_probe_read_user(&data.fname, sizeof(data.fname), (void *)filename);",
		"bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));",
		"const struct data_t *unused_events __attribute__((unused));",
	} {
		if !strings.Contains(string(p.C), want) {
			t.Errorf("hello2.c: translation lacks %q", want)
		}
	}
	if len(p.Plan.Notes) != 0 {
		t.Errorf("hello2.c: notes %q", p.Plan.Notes)
	}
}

// Every line of the learner's file keeps its number: each translated line
// that appears unchanged in the source is attributed (through the #line
// directives) to the line it came from.
func TestLineNumbersKept(t *testing.T) {
	files, _ := filepath.Glob("testdata/programs/*.c")
	files = append(files, "testdata/tutorial/hello.c", "testdata/tutorial/hello2.c")
	lineDirective := regexp.MustCompile(`^#line (\d+) "([^"]+)"$`)
	for _, f := range files {
		src, _ := os.ReadFile(f)
		p := translateFile(t, f, runFlags(t, src)...)
		if strings.Contains(f, "tutorial") {
			p = translateFile(t, f, runplan.Attach{Program: "hello_world", Kind: runplan.Kprobe, Target: "do_sys_openat2"})
		}
		srcLines := strings.Split(string(src), "\n")
		file, line := p.Name, 1
		checked := 0
		for _, l := range strings.Split(string(p.C), "\n") {
			if m := lineDirective.FindStringSubmatch(l); m != nil {
				line, _ = strconv.Atoi(m[1])
				file = m[2]
				continue
			}
			if file == filepath.Base(f) && len(strings.TrimSpace(l)) > 3 {
				if line > len(srcLines) {
					t.Errorf("%s: line %d %q is past the source's end", f, line, l)
				} else if strings.TrimSpace(srcLines[line-1]) == strings.TrimSpace(l) {
					checked++
				} else {
					for k, s := range srcLines {
						if strings.TrimSpace(s) == strings.TrimSpace(l) && k+1 != line && strings.Count(string(src), s) == 1 {
							t.Errorf("%s: %q is attributed to line %d, written on line %d", f, l, line, k+1)
						}
					}
				}
			}
			line++
		}
		if checked < 1 {
			t.Errorf("%s: only %d lines checked", f, checked)
		}
	}
}

// A map named like a vmlinux.h type is renamed in the object and shown
// with the learner's name.
func TestMapNameClash(t *testing.T) {
	src := []byte("BPF_HASH(config, u32, u64);\nint kprobe__vfs_read(void *ctx) { u32 k = 0; u64 one = 1; config.update(&k, &one); return 0; }\n")
	p, err := Translate(src, "clash.c", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	c := string(p.C)
	if !strings.Contains(c, "} config_map SEC(\".maps\")") || !strings.Contains(c, "bpf_map_update_elem(&config_map, &k, &one, BPF_ANY)") {
		t.Errorf("config not renamed:\n%s", c)
	}
	if len(p.Plan.Outputs) != 1 || p.Plan.Outputs[0].Map != "config_map" || p.Plan.Outputs[0].Title != "config" {
		t.Errorf("outputs %+v", p.Plan.Outputs)
	}
	if len(p.Plan.Notes) != 1 || !strings.Contains(p.Plan.Notes[0], "config") {
		t.Errorf("notes %q", p.Plan.Notes)
	}
}

// Probes with no tracepoint to fall back on get none; a kprobe reading
// registers beyond its arguments gets none either, with a note.
func TestFallbackRules(t *testing.T) {
	p := translateFile(t, "testdata/programs/kprobe_internal.c")
	for _, a := range p.Plan.Attach {
		if len(a.Fallback) != 0 {
			t.Errorf("%s on %s has fallbacks %v", a.Program, a.Target, a.Fallback)
		}
	}
	src := []byte("int probe(struct pt_regs *ctx) { bpf_trace_printk(\"ip %lx\", PT_REGS_IP(ctx)); return 0; }\n")
	p, err := Translate(src, "ip.c", testOptions(t, runplan.Attach{Program: "probe", Kind: runplan.Kprobe, Target: "__x64_sys_openat"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plan.Attach[0].Fallback) != 0 || len(p.Plan.Notes) != 1 {
		t.Errorf("fallbacks %v notes %q", p.Plan.Attach[0].Fallback, p.Plan.Notes)
	}
	// PT_REGS_PARM2 and PT_REGS_RC are mapped like typed arguments
	src = []byte("int ret(struct pt_regs *ctx) { long r = PT_REGS_RC(ctx); bpf_trace_printk(\"%ld\", r); return 0; }\n")
	p, err = Translate(src, "rc.c", testOptions(t, runplan.Attach{Program: "ret", Kind: runplan.Kretprobe, Target: "sys_clone"}))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(programs(p.Plan.Attach[0].Fallback), " ")
	if got != "ret__clone@tracepoint:syscalls:sys_exit_clone ret__clone3@tracepoint:syscalls:sys_exit_clone3" {
		t.Errorf("kretprobe fallbacks: %s", got)
	}
	if !strings.Contains(string(p.C), "(long)args->ret") || !strings.Contains(string(p.C), "long r = ____rc;") {
		t.Errorf("PT_REGS_RC not mapped:\n%s", p.C)
	}
	// kprobe__sys_clone is named as BCC's attach_kprobe names it
	p, err = Translate([]byte("int kprobe__sys_clone(void *ctx) { bpf_trace_printk(\"clone\"); return 0; }\n"), "clone.c", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	got = strings.Join(programs(p.Plan.Attach), " ") + " | " + strings.Join(programs(p.Plan.Attach[0].Fallback), " ")
	if got != "kprobe__sys_clone@kprobe:__x64_sys_clone | kprobe__sys_clone__clone@tracepoint:syscalls:sys_enter_clone kprobe__sys_clone__clone3@tracepoint:syscalls:sys_enter_clone3" {
		t.Errorf("kprobe__sys_clone: %s", got)
	}
}

// Bad programs fail with one line that names the problem.
func TestErrorsAreOneLine(t *testing.T) {
	for _, tt := range []struct {
		src, want string
		attach    []runplan.Attach
	}{
		{"BPF_TABLE_PINNED(\"hash\", u32, u32, m, 1, \"/sys/fs/bpf/m\");", "BPF_TABLE_PINNED is not supported", nil},
		{"BPF_HASH();", "BPF_HASH needs a name", nil},
		{"BPF_RINGBUF_OUTPUT(rb);", "needs its pages argument", nil},
		{"TRACEPOINT_PROBE(nosuch, event) { return 0; }", "tracepoint nosuch:event does not exist", nil},
		{"KFUNC_PROBE(vfs_read) { return 0; }", "KFUNC_PROBE is not supported", nil},
		{"int f(void *ctx) { return 0; }", "has no function g", []runplan.Attach{{Program: "g", Kind: runplan.Kprobe, Target: "vfs_read"}}},
		{"static int f(void *ctx) { return 0; }", "f is static", []runplan.Attach{{Program: "f", Kind: runplan.Kprobe, Target: "vfs_read"}}},
		{"int f(void *ctx) { return 0; ", "no closing brace", nil},
		{"BPF_HASH(a); BPF_ARRAY(a);", "declared twice", nil},
	} {
		_, err := Translate([]byte(tt.src), "bad.c", testOptions(t, tt.attach...))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", tt.src, err, tt.want)
		}
	}
}

func TestParseAttach(t *testing.T) {
	for _, tt := range []struct {
		kind  runplan.AttachKind
		value string
		want  runplan.Attach
	}{
		{runplan.Kprobe, "do_sys_openat2=hello_world", runplan.Attach{Program: "hello_world", Kind: runplan.Kprobe, Target: "do_sys_openat2"}},
		{runplan.Kprobe, "sys_clone=f", runplan.Attach{Program: "f", Kind: runplan.Kprobe, Target: "__x64_sys_clone"}},
		{runplan.Tracepoint, "sched:sched_switch=f", runplan.Attach{Program: "f", Kind: runplan.Tracepoint, Target: "sched:sched_switch"}},
		{runplan.Uprobe, "/lib/x86_64-linux-gnu/libc.so.6:malloc=f", runplan.Attach{Program: "f", Kind: runplan.Uprobe, Target: "/lib/x86_64-linux-gnu/libc.so.6:malloc"}},
	} {
		got, err := ParseAttach(tt.kind, tt.value, "amd64")
		if err != nil || got.Program != tt.want.Program || got.Target != tt.want.Target || got.Kind != tt.want.Kind {
			t.Errorf("ParseAttach(%s, %q) = %+v, %v", tt.kind, tt.value, got, err)
		}
	}
	for _, bad := range []string{"", "f", "=f", "x=", "a:b=f", "x=1f"} {
		if _, err := ParseAttach(runplan.Kprobe, bad, "amd64"); err == nil {
			t.Errorf("--kprobe %q: no error", bad)
		}
	}
	if _, err := ParseAttach(runplan.Tracepoint, "sched_switch=f", "amd64"); err == nil {
		t.Error("--tracepoint without a category: no error")
	}
}

// The tracepoint struct follows the format file's offsets and sizes.
func TestTracepointStruct(t *testing.T) {
	fields, err := readFormat("testdata/tracefs", "syscalls", "sys_enter_openat")
	if err != nil {
		t.Fatal(err)
	}
	s := tracepointStruct("x", fields)
	for _, want := range []string{"\tint __syscall_nr;\n\tchar __pad_5[4];\n\tu64 dfd;\n\tconst char * filename;\n\tu64 flags;\n\tu64 mode;\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("struct lacks %q:\n%s", want, s)
		}
	}
	fields, _ = parseFormat("field:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\nfield:char comm[TASK_COMM_LEN];\toffset:12;\tsize:16;\tsigned:0;\n")
	s = tracepointStruct("y", fields)
	if !strings.Contains(s, "int data_loc_filename;") || !strings.Contains(s, "char comm[16];") {
		t.Errorf("data_loc/symbolic dimension:\n%s", s)
	}
}

func FuzzTranslate(f *testing.F) {
	files, _ := filepath.Glob("testdata/programs/*.c")
	files = append(files, "testdata/tutorial/hello.c", "testdata/tutorial/hello2.c")
	for _, file := range files {
		src, _ := os.ReadFile(file)
		f.Add(src, "hello_world")
	}
	f.Add([]byte("int f(struct pt_regs *ctx, int a) { m.lookup(( ; "), "f")
	f.Add([]byte("TRACEPOINT_PROBE(syscalls, sys_enter_openat) { args->x[; }"), "")
	// deep nesting (past MaxDepth, and just within it), names that are not
	// names, calls nested in calls
	f.Add([]byte("int f(void *ctx) { return "+strings.Repeat("({[", 100)+"0; }"), "f")
	f.Add([]byte("int f(void *ctx) { return "+strings.Repeat("(", MaxDepth-1)+"0"+strings.Repeat(")", MaxDepth-1)+"; }"), "f")
	f.Add([]byte("TRACEPOINT_PROBE(../../etc, passwd) { return 0; }\nRAW_TRACEPOINT_PROBE(a/b) { return 0; }"), "")
	f.Add([]byte("int f(struct tracepoint__..__x *args) { return 0; }\nint tracepoint__a__b(void *ctx) { return 0; }"), "")
	f.Add([]byte("BPF_HASH(m);\nint f(struct pt_regs *ctx) { return "+strings.Repeat("m.lookup(", 50)+"0"+strings.Repeat(")", 50)+"; }"), "f")
	names := testNames(f)
	f.Fuzz(func(t *testing.T, src []byte, fn string) {
		var attach []runplan.Attach
		if fn != "" {
			attach = append(attach, runplan.Attach{Program: fn, Kind: runplan.Kprobe, Target: "do_sys_openat2"})
		}
		p, err := Translate(src, "fuzz.c", Options{Attach: attach, Tracefs: "testdata/tracefs", KernelNames: names, Arch: "amd64"})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		if len(p.C) == 0 {
			t.Fatal("empty translation")
		}
	})
}

// TestAnonymousEventStruct: "struct { ... } data" sent through perf output
// gets a name (run looks types up by name) and is the map's event type.
func TestAnonymousEventStruct(t *testing.T) {
	src := []byte("BPF_PERF_OUTPUT(events);\nint f(void *ctx) {\n  struct { u64 ts; u64 magic; } data = {bpf_ktime_get_ns(), 1};\n  events.perf_submit(ctx, &data, sizeof(data));\n  return 0;\n}\n")
	p, err := Translate(src, "anon.c", testOptions(t, runplan.Attach{Program: "f", Kind: runplan.Tracepoint, Target: "syscalls:sys_enter_openat"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.C), "struct events_event { u64 ts;") {
		t.Errorf("the struct is not named:\n%s", p.C)
	}
	if len(p.Plan.Outputs) != 1 || p.Plan.Outputs[0].Type != "events_event" {
		t.Errorf("outputs %+v, want events printed as events_event", p.Plan.Outputs)
	}
	if strings.Contains(string(p.C), "unused_events") {
		t.Errorf("a function's struct named at file scope:\n%s", p.C)
	}
}

// TestDefinesFromCflags: BPF(cflags=["-DMAX_PID=..."]) become #defines
// before the program, so the C run --emit prints compiles on its own.
func TestDefinesFromCflags(t *testing.T) {
	src := []byte("BPF_HASH(start, u32, u64, MAX_PID);\nint kprobe__do_nanosleep(void *ctx) {\n#ifdef DEBUG\n  bpf_trace_printk(\"x\\n\");\n#endif\n  return 0;\n}\n")
	opts := testOptions(t)
	opts.Defines = []string{"MAX_PID=4096", "DEBUG"}
	p, err := Translate(src, "d.c", opts)
	if err != nil {
		t.Fatal(err)
	}
	c := string(p.C)
	if !strings.Contains(c, "#define MAX_PID 4096\n#define DEBUG 1\n") || strings.Index(c, "#define MAX_PID") > strings.Index(c, "start SEC(") {
		t.Errorf("defines missing or after their use:\n%s", c)
	}
}
