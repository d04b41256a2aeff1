package bcc

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// translateQuickly translates src and fails when it allocates more than
// 512 MB (the inputs here are built to be slow and big to a quadratic or
// deeply recursive translator; a quadratic one also shows as a test that
// takes minutes). No wall-clock bound: a busy machine is no failure.
func translateQuickly(t *testing.T, src string, attach ...runplan.Attach) (*Program, error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := Translate([]byte(src), "big.c", testOptions(t, attach...))
	runtime.ReadMemStats(&after)
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 512 {
		t.Errorf("%d bytes allocated %d MB", len(src), mb)
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("error of more than one line: %q", err)
	}
	return p, err
}

// 400 KB of nested brackets: a one-line error naming the line, at once.
func TestDeepNesting(t *testing.T) {
	for _, open := range []string{"(", "{", "["} {
		src := "int f(void *ctx)\n{\n\treturn " + strings.Repeat(open, 400_000) + "\n}\n"
		_, err := translateQuickly(t, src)
		if err == nil || !strings.Contains(err.Error(), "big.c:3:") || !strings.Contains(err.Error(), "256") {
			t.Errorf("%q x 400000: %v", open, err)
		}
	}
	// as deep as clang allows is fine
	src := "int kprobe__vfs_read(void *ctx)\n{\n\treturn " + strings.Repeat("(", 250) + "0" + strings.Repeat(")", 250) + ";\n}\n"
	if _, err := translateQuickly(t, src); err != nil {
		t.Errorf("250 parentheses: %v", err)
	}
}

func TestSizeLimit(t *testing.T) {
	src := "int kprobe__vfs_read(void *ctx) { return 0; }\n" + strings.Repeat("// padding\n", 1<<20/11+1)
	_, err := translateQuickly(t, src)
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("%d bytes: %v", len(src), err)
	}
}

// Inputs that many rewrites, lookups or nested calls made quadratic.
func TestLargeInputsAreLinear(t *testing.T) {
	var b strings.Builder
	// many maps, each used: a linear scan of the declarations per token
	for k := 0; k < 20000; k++ {
		fmt.Fprintf(&b, "BPF_HASH(m%d);\n", k)
	}
	b.WriteString("int kprobe__vfs_read(void *ctx)\n{\n\tu64 k = 0;\n")
	for k := 0; k < 20000; k++ {
		fmt.Fprintf(&b, "\tm%d.increment(k);\n", k)
	}
	b.WriteString("\treturn 0;\n}\n")
	if _, err := translateQuickly(t, b.String()); err != nil {
		t.Errorf("many maps: %v", err)
	}

	// many probes: a line count from the start of the file per rewrite
	b.Reset()
	for k := 0; k < 20000; k++ {
		fmt.Fprintf(&b, "int kprobe__f%d(void *ctx) { return 0; }\n", k)
	}
	if p, err := translateQuickly(t, b.String()); err != nil || len(p.Plan.Attach) != 20000 {
		t.Errorf("many probes: %v", err)
	}

	// many perf_submit calls: a search back to the start of the file for
	// the variable's declaration each
	b.Reset()
	b.WriteString("struct data_t { u32 pid; };\nBPF_PERF_OUTPUT(events);\nstruct data_t data;\n")
	b.WriteString("int kprobe__vfs_read(void *ctx)\n{\n")
	for k := 0; k < 15000; k++ {
		b.WriteString("\tevents.perf_submit(ctx, &data, sizeof(data));\n\treturn data;\n")
	}
	b.WriteString("}\n")
	if p, err := translateQuickly(t, b.String()); err != nil || len(p.Maps) != 1 || p.Maps[0].Type != "data_t" {
		t.Errorf("many perf_submit calls: %v", err)
	}

	// map methods nested in each other's arguments: a bracket match per call
	b.Reset()
	b.WriteString("BPF_HASH(m);\n")
	for k := 0; k < 200; k++ {
		fmt.Fprintf(&b, "int kprobe__f%d(void *ctx)\n{\n\treturn %s0%s;\n}\n", k, strings.Repeat("m.lookup(", 250), strings.Repeat(")", 250))
	}
	if _, err := translateQuickly(t, b.String()); err != nil {
		t.Errorf("nested map calls: %v", err)
	}

	// a function with very many parameters: each looked up in the body
	b.Reset()
	b.WriteString("int f(struct pt_regs *ctx")
	for k := 0; k < 20000; k++ {
		fmt.Fprintf(&b, ", int a%d", k)
	}
	b.WriteString(")\n{\n")
	for k := 0; k < 20000; k++ {
		b.WriteString("\tx++;\n")
	}
	b.WriteString("\treturn 0;\n}\n")
	_, err := translateQuickly(t, b.String(), runplan.Attach{Program: "f", Kind: runplan.Kprobe, Target: "vfs_read"})
	if err == nil || !strings.Contains(err.Error(), "at most 8") {
		t.Errorf("20000 parameters: %v", err)
	}
}

// Tracepoint names go into tracefs paths: only names are taken, wherever
// they come from.
func TestTracepointNames(t *testing.T) {
	for _, tt := range []struct {
		src, want string
		attach    []runplan.Attach
	}{
		{"TRACEPOINT_PROBE(../../etc, passwd) { return 0; }", `bad.c:1: tracepoint category "../../etc" is not a name`, nil},
		{"TRACEPOINT_PROBE(syscalls, sys_enter_openat/../../x) { return 0; }", `tracepoint event "sys_enter_openat/../../x" is not a name`, nil},
		{"TRACEPOINT_PROBE(sch\xc3\xa9d, x) { return 0; }", "tracepoint category \"sch\xc3\xa9d\" is not a name", nil},
		{"RAW_TRACEPOINT_PROBE(a-b) { return 0; }", `raw tracepoint "a-b" is not a name`, nil},
		{"int tracepoint__sch\xc3\xa9d__x(void *args) { return 0; }", "tracepoint category \"sch\xc3\xa9d\" is not a name", nil},
		{"int f(struct tracepoint__a\xff__b *args) { return 0; }", `tracepoint category "a\xff" is not a name`, nil},
		{"int f(void *ctx) { return 0; }", `tracepoint category "../x" is not a name`,
			[]runplan.Attach{{Program: "f", Kind: runplan.Tracepoint, Target: "../x:y"}}},
		{"int f(void *ctx) { return 0; }", "want category:event",
			[]runplan.Attach{{Program: "f", Kind: runplan.Tracepoint, Target: "x"}}},
	} {
		_, err := Translate([]byte(tt.src), "bad.c", testOptions(t, tt.attach...))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", tt.src, err, tt.want)
		}
	}
	// a kprobe on a "syscall" whose name is not one gets no tracepoint
	// fallback (its name would be looked up under tracefs)
	p, err := Translate([]byte("int f(struct pt_regs *ctx) { return 0; }"), "k.c",
		testOptions(t, runplan.Attach{Program: "f", Kind: runplan.Kprobe, Target: "__x64_sys_../../openat"}))
	if err != nil || len(p.Plan.Attach) != 1 || len(p.Plan.Attach[0].Fallback) != 0 {
		t.Errorf("kprobe on __x64_sys_../../openat: %+v, %v", p, err)
	}
	for _, bad := range []string{"../../etc:passwd=f", "sched:..=f", "sched:a/b=f", "9:x=f"} {
		_, err := ParseAttach(runplan.Tracepoint, bad, "amd64")
		if err == nil || !strings.Contains(err.Error(), "is not a name") || strings.Contains(err.Error(), "\n") {
			t.Errorf("--tracepoint %q: %v", bad, err)
		}
	}
}
