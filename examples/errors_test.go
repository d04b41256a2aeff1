package examples_test

// What the examples print when something is in their way: one line a
// learner can act on, not libbpf's raw words. Without root: try sudo. No
// kprobe: the tracepoints they attached instead, by name. trace_pipe
// taken by another reader: how to find it.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// exampleBinary is dir's binary, built by make examples.
func exampleBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, strings.TrimLeft(filepath.Base(dir), "0123456789-"))
	if _, err := os.Stat(bin); err != nil {
		testenv.Skip(t, bin+" not built: run make examples")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// readableCopy copies an example's binary and its BPF objects where
// nobody may read them: a checkout in root's 0700 home is not (make
// fresh-test's), and "permission denied" on the object is not what is
// tested here.
func readableCopy(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	objects, _ := filepath.Glob(filepath.Join(filepath.Dir(bin), "*.bpf.o"))
	for _, src := range append(objects, bin) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.Base(bin))
}

// runExample runs an example to its end (-duration) and returns its
// stderr's lines and whether it exited 0.
func runExample(t *testing.T, cmd *exec.Cmd) ([]string, bool) {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n"), err == nil
}

func TestExamplesWithoutRootSayToUseSudo(t *testing.T) {
	testenv.RequireRoot(t) // to become someone else
	if _, err := exec.LookPath("setpriv"); err != nil {
		testenv.Skip(t, "no setpriv")
	}
	for _, dir := range exampleDirs(t) {
		t.Run(dir, func(t *testing.T) {
			bin := readableCopy(t, exampleBinary(t, dir))
			// nobody, without root's capabilities: a learner's own account
			cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-duration", "1s")
			lines, ok := runExample(t, cmd)
			if ok {
				t.Fatalf("ran without root: %q", lines)
			}
			want := regexp.MustCompile(`^[a-z-]+: .*needs root.*try sudo`)
			if len(lines) != 1 || !want.MatchString(lines[0]) {
				t.Errorf("without root, stderr is %d lines, want one saying it needs root and to try sudo:\n%s", len(lines), strings.Join(lines, "\n"))
			}
		})
	}
}

// The attach line names the hook: the tutorial's kprobe, or the
// tracepoints the example fell back to.
func TestExamplesSayWhichHookTheyAttached(t *testing.T) {
	testenv.RequireRoot(t)
	kprobe := "attached: kprobe on do_sys_openat2"
	fallback := "no kprobe on do_sys_openat2 here: attached to the tracepoints syscalls:sys_enter_openat and syscalls:sys_enter_openat2 instead"
	for _, readme := range []string{"01-hello-printk/README.md", "01-hello-printk/README.zh.md"} {
		text := readPage(t, readme)
		if !strings.Contains(text, "\n"+fallback+"\n") || !strings.Contains(text, "`"+kprobe+"`") {
			t.Errorf("%s does not show the attach lines as the example prints them", readme)
		}
	}
	for _, dir := range exampleDirs(t) {
		t.Run(dir, func(t *testing.T) {
			lines, ok := runExample(t, exec.Command(exampleBinary(t, dir), "-duration", "1s"))
			if !ok {
				t.Fatalf("exited non-zero:\n%s", strings.Join(lines, "\n"))
			}
			if lines[0] != kprobe && lines[0] != fallback {
				t.Errorf("stderr starts with %q, want %q or %q", lines[0], kprobe, fallback)
			}
			for _, line := range lines {
				if strings.Contains(line, "failed to attach") || strings.Contains(line, "{do_sys_openat2") {
					t.Errorf("libbpfgo's raw error shown: %q", line)
				}
			}
		})
	}
}

// While another process reads trace_pipe, recent kernels refuse a second
// reader (EBUSY): the printk examples say so and how to find the reader.
func TestPrintkExamplesSayHowToFindTracePipesReader(t *testing.T) {
	testenv.RequireRoot(t)
	const pipe = "/sys/kernel/tracing/trace_pipe"
	first, err := os.Open(pipe)
	if err != nil {
		testenv.Skip(t, "cannot open "+pipe+": "+err.Error())
	}
	defer first.Close()
	if second, err := os.Open(pipe); err == nil {
		second.Close()
		testenv.Skip(t, "this kernel lets trace_pipe have several readers")
	} else if !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("second open of %s: %v", pipe, err)
	}
	for _, dir := range []string{"01-hello-printk", "solutions/1-message"} {
		t.Run(dir, func(t *testing.T) {
			lines, ok := runExample(t, exec.Command(exampleBinary(t, dir), "-duration", "5s"))
			if ok {
				t.Fatalf("exited 0 while trace_pipe was held:\n%s", strings.Join(lines, "\n"))
			}
			last := lines[len(lines)-1]
			for _, want := range []string{"trace_pipe", "another", "fuser " + pipe, "ebpf-hello doctor"} {
				if !strings.Contains(last, want) {
					t.Errorf("last line %q does not say %q", last, want)
				}
			}
			if len(lines) != 2 {
				t.Errorf("stderr is %d lines, want the attach line and the error:\n%s", len(lines), strings.Join(lines, "\n"))
			}
		})
	}
}
