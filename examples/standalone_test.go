package examples_test

// A learner copies an example out of the repository, or into a new folder
// for an exercise: these tests check that works as the sheet says.

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// exampleDirs are the folders with a main.go: examples and solutions.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	for _, pattern := range []string{"*/main.go", "solutions/*/main.go"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range found {
			dirs = append(dirs, filepath.Dir(m))
		}
	}
	return dirs
}

// TestExamplesImportNothingOfTheTool: each folder is its own Go module,
// builds from libbpfgo alone, and passes go vet.
func TestExamplesImportNothingOfTheTool(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		testenv.Skip(t, "no go command")
	}
	dirs := exampleDirs(t)
	if len(dirs) < 8 {
		t.Fatalf("found %d example folders: %v", len(dirs), dirs)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			t.Errorf("%s has no go.mod: it cannot be copied out", dir)
			continue
		}
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: go list -deps: %v\n%s", dir, err, out)
			continue
		}
		// go vet ./... at the top does not reach into these modules: vet them here.
		vet := exec.Command("go", "vet", ".")
		vet.Dir = dir
		if out, err := vet.CombinedOutput(); err != nil {
			t.Errorf("%s: go vet: %v\n%s", dir, err, out)
		}
		if !strings.Contains(string(out), "github.com/aquasecurity/libbpfgo") {
			t.Errorf("%s: libbpfgo not among its dependencies:\n%s", dir, out)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if strings.HasPrefix(pkg, "github.com/ebpf-hello/") {
				t.Errorf("%s imports %s, a package of the tool", dir, pkg)
			}
		}
	}
}

// make runs make in examples/ and fails the test if it fails.
func makeIn(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("make", append([]string{"--no-print-directory"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("make %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestCopyCarriesNoBuildOutput: the sheet's way to start an exercise.
func TestCopyCarriesNoBuildOutput(t *testing.T) {
	if _, err := os.Stat("02-trace-open/trace_open.bpf.o"); err != nil {
		testenv.Skip(t, "examples not built: run make examples")
	}
	const to = "zz-copy-test"
	t.Cleanup(func() { os.RemoveAll(to) })
	makeIn(t, "copy", "FROM=02-trace-open", "TO="+to)
	entries, err := os.ReadDir(to)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), "go.mod go.sum libbpf.go main.go trace_open.bpf.c"; got != want {
		t.Errorf("copied %s, want %s", got, want)
	}
}

// TestRenamedSourceLeavesNoStaleObject: a folder copied with cp -r keeps
// the old object; once its .bpf.c is renamed, make must remove that object,
// so the binary cannot load it in place of the new program.
func TestRenamedSourceLeavesNoStaleObject(t *testing.T) {
	if _, err := os.Stat("01-hello-printk/hello.bpf.o"); err != nil {
		testenv.Skip(t, "examples not built: run make examples")
	}
	const dir = "zz-stale-test"
	t.Cleanup(func() { os.RemoveAll(dir) })
	if out, err := exec.Command("cp", "-r", "01-hello-printk", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp -r: %v: %s", err, out)
	}
	if err := os.Rename(dir+"/hello.bpf.c", dir+"/greet.bpf.c"); err != nil {
		t.Fatal(err)
	}
	makeIn(t, "stale", dir+"/greet.bpf.o")
	if _, err := os.Stat(dir + "/hello.bpf.o"); err == nil {
		t.Errorf("%s/hello.bpf.o, built from a source that is gone, is still there", dir)
	}
	if _, err := os.Stat(dir + "/greet.bpf.o"); err != nil {
		t.Errorf("greet.bpf.o not built: %v", err)
	}
}

// TestVerifierReasonShown builds, outside the repository, a copy of the
// ring buffer example that forgets the NULL check after bpf_ringbuf_reserve
// (exercise 4's usual slip): the error must say what the verifier refused,
// not only "permission denied".
func TestVerifierReasonShown(t *testing.T) {
	testenv.RequireRoot(t)
	vmlinux, err := filepath.Abs("../bpf/vmlinux.h")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(vmlinux); err != nil {
		testenv.Skip(t, "../bpf/vmlinux.h not generated: run make examples")
	}
	dir := t.TempDir()
	for _, f := range []string{"main.go", "libbpf.go", "go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join("03-ring-buffer", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile("03-ring-buffer/trace_open.bpf.c")
	if err != nil {
		t.Fatal(err)
	}
	const check = "\tif (!data)\n\t\treturn 0;"
	if !strings.Contains(string(src), check) {
		t.Fatalf("03-ring-buffer/trace_open.bpf.c has no %q to remove", check)
	}
	broken := strings.Replace(string(src), check, "", 1)
	if err := os.WriteFile(filepath.Join(dir, "trace_open.bpf.c"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := [][]string{
		{"clang", "-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_" + targetArch(), "-I", filepath.Dir(vmlinux), "-c", "trace_open.bpf.c", "-o", "trace_open.bpf.o"},
		{"go", "build", "-o", "broken", "."},
	}
	for _, argv := range steps {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	out, err := exec.Command(filepath.Join(dir, "broken"), "-duration", "1s").CombinedOutput()
	if err == nil {
		t.Fatalf("the verifier accepted a ring buffer write without the NULL check:\n%s", out)
	}
	last := lastLine(string(out))
	if !strings.Contains(last, "the verifier refused it: ") || !strings.Contains(last, "invalid mem access") {
		t.Errorf("the error does not give the verifier's reason: %q", last)
	}
}

func targetArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86"
	default:
		return runtime.GOARCH
	}
}

// TestCOnlyLibbpfSolutionsCompile: the C-only track's libbpf-style
// solutions compile with clang against vmlinux.h, as `ebpf-hello run`
// compiles them. (conly_run_test.go runs them with run.)
func TestCOnlyLibbpfSolutionsCompile(t *testing.T) {
	vmlinux, err := filepath.Abs("../bpf/vmlinux.h")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(vmlinux); err != nil {
		testenv.Skip(t, "../bpf/vmlinux.h not generated: run make examples")
	}
	files, err := filepath.Glob("solutions/c-only/*/*.bpf.c")
	if err != nil || len(files) == 0 {
		t.Fatalf("no C-only libbpf solutions found (%v)", err)
	}
	for _, f := range files {
		out, err := exec.Command("clang", "-g", "-O2", "-Wall", "-Werror", "-target", "bpf", "-D__TARGET_ARCH_"+targetArch(),
			"-I", filepath.Dir(vmlinux), "-c", f, "-o", filepath.Join(t.TempDir(), "x.o")).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
		}
	}
}
