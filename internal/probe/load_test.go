package probe

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

const tracefsRoot = "/sys/kernel/tracing"

var helloSpec = Spec{
	Name:   "hello.bpf.o",
	Object: bpf.Hello,
	Hooks: map[Mode][]Hook{
		Kprobe:     {{Program: "hello_kprobe", Kind: KprobeEntry}},
		Fentry:     {{Program: "hello_fentry", Kind: FentryEntry}},
		Tracepoint: {{Program: "hello_openat", Kind: SECTracepoint}, {Program: "hello_open", Kind: SECTracepoint}},
	},
}

func requireTracefs(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
	if _, err := os.Stat(filepath.Join(tracefsRoot, "trace_pipe")); err != nil {
		// The command mounts it; the test does the same so it can run first.
		if out, err := exec.Command("mount", "-t", "tracefs", "nodev", tracefsRoot).CombinedOutput(); err != nil {
			t.Fatalf("mount tracefs: %v: %s", err, out)
		}
	}
}

// documentedReasons are the only ways a mode may fail on a healthy kernel.
var documentedReasons = map[Mode][]string{
	Kprobe: {"kernel built without CONFIG_KPROBES", "not in /proc/kallsyms", "not found by the kernel"},
	Fentry: {"kernel refused to load", "fentry needs kernel 5.5"},
}

// TestEachModeAttachesOrFailsAsDocumented loads the hello program with each
// mode on this kernel; then auto must pick the first mode that worked alone,
// reporting the others' reasons.
func TestEachModeAttachesOrFailsAsDocumented(t *testing.T) {
	requireTracefs(t)
	alone := map[Mode]error{}
	for _, mode := range Chain {
		l, err := Load(helloSpec, Options{Mode: mode, Tracefs: tracefsRoot})
		alone[mode] = err
		if err == nil {
			if l.Mode != mode {
				t.Errorf("--attach %s attached %s", mode, l.Mode)
			}
			l.Close()
			t.Logf("%s: attached", mode)
			continue
		}
		t.Logf("%s: %v", mode, err)
		ok := false
		for _, reason := range documentedReasons[mode] {
			ok = ok || strings.Contains(err.Error(), reason)
		}
		if !ok {
			t.Errorf("--attach %s failed for an undocumented reason: %v", mode, err)
		}
	}
	if alone[Tracepoint] != nil {
		t.Fatalf("tracepoints must work on any kernel with tracefs: %v", alone[Tracepoint])
	}

	var notes []string
	l, err := Load(helloSpec, Options{Mode: Auto, Tracefs: tracefsRoot, Notify: func(m string) { notes = append(notes, m) }})
	if err != nil {
		t.Fatalf("auto: %v", err)
	}
	defer l.Close()
	var want Mode
	for _, mode := range Chain {
		if alone[mode] == nil {
			want = mode
			break
		}
	}
	if l.Mode != want {
		t.Errorf("auto picked %s, want %s (the first mode that works alone)", l.Mode, want)
	}
	for _, s := range l.Skipped {
		// Alone, the reason comes wrapped as "--attach MODE: reason".
		if alone[s.Mode] == nil || s.Reason.Error() != errors.Unwrap(alone[s.Mode]).Error() {
			t.Errorf("auto skipped %s with %q, alone it gave %v", s.Mode, s.Reason, alone[s.Mode])
		}
	}
	if last := notes[len(notes)-1]; !strings.Contains(last, "attach: using "+string(want)) {
		t.Errorf("last note %q does not say which mode is used", last)
	}
	if want == Tracepoint && !strings.Contains(l.Where, "syscalls:sys_enter_openat") {
		t.Errorf("Where = %q, want the attached tracepoints listed", l.Where)
	}
}

// TestVerifierRejectionShowsTheVerifiersWords compiles a program that
// dereferences NULL: loading must fail with the verifier's last lines.
func TestVerifierRejectionShowsTheVerifiersWords(t *testing.T) {
	requireTracefs(t)
	clang, err := exec.LookPath("clang")
	if err != nil {
		testenv.Skip(t, "clang not installed (run make setup)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.bpf.c")
	obj := filepath.Join(dir, "bad.bpf.o")
	code := `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tracepoint(void *ctx)
{
	volatile char *p = 0;
	return *p; /* the verifier refuses: NULL dereference */
}
`
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	vmlinux, _ := filepath.Abs(filepath.Join("..", "..", "bpf"))
	if out, err := exec.Command(clang, "-g", "-O2", "-target", "bpf", "-I"+vmlinux, "-c", src, "-o", obj).CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	object, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{Name: "bad.bpf.o", Object: object, Hooks: map[Mode][]Hook{
		Tracepoint: {{Program: "bad_tracepoint", Kind: SyscallTracepoints, Tracepoints: []string{"sys_enter_openat"}}},
	}}
	l, err := Load(spec, Options{Mode: Auto, Tracefs: tracefsRoot})
	if err == nil {
		l.Close()
		t.Fatal("the verifier accepted a NULL dereference")
	}
	var v *VerifierError
	if !errors.As(err, &v) {
		t.Fatalf("got %v, want a VerifierError", err)
	}
	if v.Program != "bad_tracepoint" || len(v.Tail) == 0 || len(v.Tail) > verifierTailLines {
		t.Errorf("program %q, %d tail lines; want bad_tracepoint and 1..%d lines", v.Program, len(v.Tail), verifierTailLines)
	}
	if !strings.Contains(err.Error(), "invalid mem access") {
		t.Errorf("the verifier's reason is missing from:\n%v", err)
	}
	t.Logf("%v", err)
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"auto", "kprobe", "fentry", "tracepoint"} {
		if m, err := ParseMode(s); err != nil || string(m) != s {
			t.Errorf("ParseMode(%q) = %q, %v", s, m, err)
		}
	}
	if _, err := ParseMode("uprobe"); err == nil || !strings.Contains(err.Error(), "want auto, kprobe, fentry or tracepoint") {
		t.Errorf("ParseMode(uprobe) error = %v", err)
	}
}
