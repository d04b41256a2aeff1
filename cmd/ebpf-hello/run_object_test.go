package main

// run --emit-object: a program compiled here runs elsewhere (a machine or
// VM without clang) as `run` of its source does, BCC plan included.

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// hello2.py compiled by a non-root user, then run from the object: the
// script's header, print format and kprobe (with its tracepoint fallback)
// travel inside it.
func TestRunEmitObjectHello2(t *testing.T) {
	needRun(t)
	requireRootAndSetpriv(t)
	// Directories nobody can use (t.TempDir's parent is root's alone).
	dir, home := sharedDir(t), sharedDir(t)
	for _, n := range []string{"hello2.py", "hello2.c"} {
		if err := os.Rename(filepath.Join(copyTutorial(t, n), n), filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	obj := filepath.Join(dir, "hello2.bpf.o")
	// setpriv starts the binary itself (an `env` in between, running as
	// nobody, could not reach a checkout under root's 0700 home, as in
	// make fresh-test); the environment is inherited.
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("EBPF_HELLO_CACHE", "")
	r := runCommand(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
		binary(t), "run", "--src", filepath.Join(dir, "hello2.c"), "--emit-object", obj, filepath.Join(dir, "hello2.py"))
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("--emit-object as nobody: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}

	before := ourPrograms(t)
	tr := startTracer(t, runReady, "run", obj)
	o := startOpener(t, 20)
	o.run(t)
	var header string
	rows := tr.collect(t, 20, testenv.Patience, func(l string) bool {
		if strings.HasPrefix(l, "TIME(s)") {
			header = l
			return false
		}
		f := strings.Fields(l)
		return len(f) == 4 && f[1] == o.comm && f[2] == strconv.Itoa(o.tid) && f[3] == o.path
	})
	code, stderr := tr.stop(t)
	if header != "TIME(s)            COMM             PID    FILE            " || len(rows) != 20 {
		t.Fatalf("header %q, %d rows naming the child's file (want 20); exit %d, stderr:\n%s", header, len(rows), code, stderr)
	}
	// The plan's attach list, not every SEC() of the object: the kprobe,
	// or where kprobes are missing its planned tracepoint programs.
	if !strings.Contains(stderr, "attach: hello_world: kprobe do_sys_openat2") {
		t.Errorf("stderr does not say how hello_world attached:\n%s", stderr)
	}
	if strings.Contains(stderr, "attach: hello_world__openat:") {
		t.Errorf("the fallback programs were attached on their own (the plan was lost):\n%s", stderr)
	}
	assertNothingLeft(t, before)
}

// sharedDir is a fresh directory every user may write to.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ebpf-hello-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A plan section that is not a plan, or --emit-object of an object: one
// line, exit 1.
func TestRunEmitObjectErrors(t *testing.T) {
	needRun(t)
	requireRootAndSetpriv(t)
	dir := t.TempDir()
	// The learner's own asm() fills the section with something else.
	src := filepath.Join(dir, "bad.bpf.c")
	text := "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n" +
		"SEC(\"tracepoint/syscalls/sys_enter_openat\") int run_bad(void *ctx) { return 0; }\n" +
		"asm(\".pushsection .ebpf_hello.plan,\\\"\\\",@progbits\\n.ascii \\\"{\\\\\\\"Attach\\\\\\\": [\\\"\\n.popsection\");\n"
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "bad.bpf.o")
	if r := runCommand(t, binary(t), "run", "--emit-object", obj, src); r.code != 0 {
		t.Fatalf("--emit-object: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", obj}, "bad.bpf.o: its .ebpf_hello.plan section is not a plan"},
		{[]string{"run", "--emit-object", filepath.Join(dir, "x.o"), obj}, "compiled already"},
	} {
		r := runCommand(t, append([]string{binary(t)}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestRunEmitObjectForArm64: --arch arm64 compiles here what an arm64
// machine would: kprobe arguments read from arm64's struct user_pt_regs
// (this machine's vmlinux.h has only its own pt_regs), and BCC's
// get_syscall_fnname naming arm64's wrappers. make vmtest runs such
// objects in arm64 VMs.
func TestRunEmitObjectForArm64(t *testing.T) {
	needRun(t)
	if runtime.GOARCH == "arm64" {
		t.Skip("this machine is arm64 already")
	}
	dir := t.TempDir()
	// The registers a kprobe's arguments are read from (pt_regs is there
	// either way: BPF_KPROBE's context is a struct pt_regs *).
	userRegs := func(obj string) bool {
		spec, err := btf.LoadSpec(obj)
		if err != nil {
			t.Fatal(err)
		}
		_, err = spec.AnyTypeByName("user_pt_regs")
		return err == nil
	}
	for _, arch := range []string{"arm64", "aarch64", ""} {
		obj := filepath.Join(dir, "kprobe-"+arch+".bpf.o")
		args := []string{"run", "--emit-object", obj, "testdata/run/kprobe_ring.bpf.c"}
		if arch != "" {
			args = append(args, "--arch", arch)
		}
		if r := runCommand(t, append([]string{binary(t)}, args...)...); r.code != 0 {
			t.Fatalf("%v: exit %d, stderr:\n%s", args, r.code, r.stderr)
		}
		if got, want := userRegs(obj), arch != ""; got != want {
			t.Errorf("--arch %q: the object reads arm64's user_pt_regs: %v, want %v", arch, got, want)
		}
	}

	obj := filepath.Join(dir, "tail_kprobe.bpf.o")
	if r := runCommand(t, binary(t), "run", "--arch", "arm64", "--emit-object", obj, "testdata/bcc/tail_kprobe.py"); r.code != 0 {
		t.Fatalf("BCC script for arm64: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := runplan.FromObject(raw)
	if err != nil || plan == nil || len(plan.Attach) == 0 || plan.Attach[0].Target != "__arm64_sys_openat" {
		t.Errorf("the plan of tail_kprobe.py for arm64: %+v, %v (want a kprobe on __arm64_sys_openat)", plan, err)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--arch", "arm64", "testdata/run/kprobe_ring.bpf.c"}, "--arch is for --emit-object"},
		{[]string{"run", "--arch", "sparc", "--emit-object", obj, "testdata/run/kprobe_ring.bpf.c"}, `invalid --arch "sparc"`},
	} {
		r := runCommand(t, append([]string{binary(t)}, c.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
