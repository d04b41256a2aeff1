package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

const tracefsRoot = "/sys/kernel/tracing"

func resolveOpen(f Facts) (string, string, error) {
	sym, err := kernel.ResolveOpenFunc(f.Version)
	return sym.Name, sym.Note, err
}

var helloSpec = Spec{
	Name:   "hello.bpf.o",
	Object: bpf.Hello,
	Ways: []Way{
		{Label: "kprobe", Hooks: []Hook{{Program: "hello_kprobe", Kind: Kprobe, Resolve: resolveOpen}}},
		{Label: "fentry", Hooks: []Hook{{Program: "hello_fentry", Kind: Fentry, Target: kernel.OpenFunc}}},
		{Label: "tracepoint", Hooks: []Hook{
			{Program: "hello_openat", Kind: Tracepoint}, // where its SEC() says
			{Program: "hello_open", Kind: Tracepoint, Target: "syscalls:sys_enter_no_such_syscall"},
		}},
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

// documentedReasons are the only ways a way may fail on a healthy kernel.
var documentedReasons = map[string][]string{
	"kprobe": {"kernel built without CONFIG_KPROBES", "not in /proc/kallsyms", "not found by the kernel"},
	"fentry": {"kernel refused to load", "fentry needs kernel 5.5"},
}

// TestEachWayAttachesOrFailsAsDocumented loads the hello program each way
// on this kernel; then auto must pick the first way that worked alone,
// reporting the others' reasons.
func TestEachWayAttachesOrFailsAsDocumented(t *testing.T) {
	requireTracefs(t)
	alone := map[string]error{}
	for _, way := range helloSpec.Ways {
		l, err := Load(helloSpec, Options{Way: way.Label, Tracefs: tracefsRoot})
		alone[way.Label] = err
		if err == nil {
			if l.Way != way.Label {
				t.Errorf("--attach %s attached %s", way.Label, l.Way)
			}
			l.Close()
			t.Logf("%s: attached", way.Label)
			continue
		}
		t.Logf("%s: %v", way.Label, err)
		ok := false
		for _, reason := range documentedReasons[way.Label] {
			ok = ok || strings.Contains(err.Error(), reason)
		}
		if !ok {
			t.Errorf("--attach %s failed for an undocumented reason: %v", way.Label, err)
		}
	}
	if alone["tracepoint"] != nil {
		t.Fatalf("tracepoints must work on any kernel with tracefs: %v", alone["tracepoint"])
	}

	l, err := Load(helloSpec, Options{Tracefs: tracefsRoot})
	if err != nil {
		t.Fatalf("auto: %v", err)
	}
	defer l.Close()
	var want string
	for _, way := range helloSpec.Ways {
		if alone[way.Label] == nil {
			want = way.Label
			break
		}
	}
	if l.Way != want {
		t.Errorf("auto picked %s, want %s (the first way that works alone)", l.Way, want)
	}
	for _, s := range l.Skipped {
		// Alone, the reason comes wrapped as "--attach WAY: reason".
		if alone[s.Way] == nil || s.Reason.Error() != errors.Unwrap(alone[s.Way]).Error() {
			t.Errorf("auto skipped %s with %q, alone it gave %v", s.Way, s.Reason, alone[s.Way])
		}
	}
	if last := l.Notes[len(l.Notes)-1]; !strings.HasPrefix(last, "attach: using "+want+" on ") {
		t.Errorf("last note %q does not say which way is used", last)
	}
	if want == "tracepoint" {
		if l.Where != "tracepoint on syscalls:sys_enter_openat" {
			t.Errorf("Where = %q, want the attached tracepoint listed", l.Where)
		}
		if len(l.Absent) != 1 || l.Absent[0].Target != "syscalls:sys_enter_no_such_syscall" {
			t.Errorf("Absent = %v, want the missing tracepoint", l.Absent)
		}
	}
}

// TestKprobeProgramLoadsAsTracepoint: a SEC("kprobe") program that reads no
// registers runs as a tracepoint program when its hook says so.
func TestKprobeProgramLoadsAsTracepoint(t *testing.T) {
	requireTracefs(t)
	spec := helloSpec
	spec.Ways = []Way{{Label: "tracepoint", Hooks: []Hook{{Program: "hello_kprobe", Kind: Tracepoint, Target: "syscalls:sys_enter_openat"}}}}
	l, err := Load(spec, Options{Tracefs: tracefsRoot})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if len(l.Attached) != 1 || l.Attached[0].Program != "hello_kprobe" {
		t.Errorf("attached %v, want hello_kprobe", l.Attached)
	}
}

// TestGlobalsAreCheckedAgainstBTF sets open.bpf.c's const volatile knobs:
// values that fit are taken, the others fail before anything is loaded.
func TestGlobalsAreCheckedAgainstBTF(t *testing.T) {
	requireTracefs(t)
	spec := Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf, Ways: []Way{{Label: "tracepoint",
		Hooks: []Hook{{Program: "open_enter_openat", Kind: Tracepoint, Target: "syscalls:sys_enter_openat"}}}}}
	good := map[string]any{"targ_pid": "4194304", "targ_uid": uint32(1000), "targ_comm": "bash", "targ_failed": true}
	spec.Globals = good
	l, err := Load(spec, Options{Tracefs: tracefsRoot})
	if err != nil {
		t.Fatalf("good globals refused: %v", err)
	}
	rodata, err := l.Map(".rodata")
	if err != nil {
		t.Fatal(err)
	}
	image, err := rodata.Lookup(make([]byte, 4))
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	for _, want := range [][]byte{binary.NativeEndian.AppendUint32(nil, 4194304), binary.NativeEndian.AppendUint32(nil, 1000), []byte("bash\x00")} {
		if !bytes.Contains(image, want) {
			t.Errorf(".rodata in the kernel %v lacks %v", image, want)
		}
	}
	for _, bad := range []struct {
		name  string
		value any
		want  string
	}{
		{"targ_pid", uint64(1) << 40, "does not fit its unsigned 32-bit integer"},
		{"targ_pid", -1, "does not fit"},
		{"targ_pid", "12x", "not a valid unsigned 32-bit integer"},
		{"targ_comm", "a-much-too-long-command-name", "too long"},
		{"targ_comm", 7, "does not fit its char[16]"},
		{"no_such_global", 1, "no such global variable"},
	} {
		spec.Globals = map[string]any{bad.name: bad.value}
		l, err := Load(spec, Options{Tracefs: tracefsRoot})
		if err == nil {
			l.Close()
			t.Errorf("%s = %v (%T) accepted", bad.name, bad.value, bad.value)
			continue
		}
		var g *GlobalError
		if !errors.As(err, &g) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s = %v: got %v, want a GlobalError saying %q", bad.name, bad.value, err, bad.want)
		}
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
	// From a path, not bytes: run loads the learner's file this way.
	spec := Spec{Name: "bad.bpf.o", Path: obj, Ways: []Way{{Label: "tracepoint",
		Hooks: []Hook{{Program: "bad_tracepoint", Kind: Tracepoint, Target: "syscalls:sys_enter_openat"}}}}}
	l, err := Load(spec, Options{Tracefs: tracefsRoot})
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
}

func TestUnknownWayIsRefused(t *testing.T) {
	requireTracefs(t)
	_, err := Load(helloSpec, Options{Way: "uprobe", Tracefs: tracefsRoot})
	if err == nil || !strings.Contains(err.Error(), "want auto, kprobe, fentry, tracepoint") {
		t.Errorf("--attach uprobe: %v", err)
	}
}
