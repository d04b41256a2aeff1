package main

// End-to-end tests of `run` on BCC programs: the tutorial's four files,
// unchanged, and the project's own BCC-dialect programs
// (internal/bcc/testdata/programs), each loaded into this kernel.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

const (
	tutorialDir = "../../internal/bcc/testdata/tutorial"
	programsDir = "../../internal/bcc/testdata/programs"
	// runReady is what run says on stderr once everything is attached.
	runReady = "Ctrl-C"
)

// needRun skips while the binary has no run command (it is built by
// another part of the project; these tests wait for it).
func needRun(t *testing.T) {
	t.Helper()
	if err := exec.Command(binary(t), "run", "--help").Run(); err != nil {
		t.Skip("bin/ebpf-hello has no run command yet")
	}
}

// copyTutorial puts the tutorial's files, unchanged, in a fresh directory
// (hello2.py looks for its C next to it).
func copyTutorial(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(tutorialDir, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runOnce runs ebpf-hello to its end and returns stdout, stderr, exit code.
func runOnce(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	needRun(t)
	cmd := exec.Command(binary(t), args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			t.Fatal(err)
		}
	}
	return stdout.String(), stderr.String(), code
}

// `run hello.py` prints the tutorial's Hello, World! lines, for the test
// child's opens too (here through the syscall tracepoints: no kprobes).
func TestRunHelloPy(t *testing.T) {
	needRun(t)
	before := ourPrograms(t)
	dir := copyTutorial(t, "hello.py", "hello.c")
	tr := startTracer(t, runReady, "run", filepath.Join(dir, "hello.py"))
	o := startOpener(t, 20)
	o.run(t)
	mine := tr.collect(t, 1, testenv.Patience, func(l string) bool {
		return strings.Contains(l, "Hello, World!") && strings.Contains(l, fmt.Sprintf("-%d ", o.tid))
	})
	code, stderr := tr.stop(t)
	if len(mine) == 0 {
		t.Fatalf("no Hello, World! line from the child (tid %d); exit %d, stderr:\n%s", o.tid, code, stderr)
	}
	if code != 0 {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
	// Only ebpf-hello's own lines: libbpf's notes (the plan's section it
	// skips) are not for the learner.
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(line, "ebpf-hello: ") {
			t.Errorf("stderr line %q is not ebpf-hello's", line)
		}
	}
	assertNothingLeft(t, before)
}

// hello2.py names trace-open.c: run says which file to use, and with
// --src hello2.c prints TIME(s) COMM PID FILE rows for the child's opens.
func TestRunHello2Py(t *testing.T) {
	dir := copyTutorial(t, "hello2.py", "hello2.c")
	_, stderr, code := runOnce(t, "run", filepath.Join(dir, "hello2.py"))
	if code == 0 || !strings.Contains(stderr, `hello2.py loads src_file="trace-open.c"`) || !strings.Contains(stderr, "--src") ||
		strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("without --src: exit %d, stderr %q; want one line naming trace-open.c and --src", code, stderr)
	}

	before := ourPrograms(t)
	tr := startTracer(t, runReady, "run", "--src", filepath.Join(dir, "hello2.c"), filepath.Join(dir, "hello2.py"))
	o := startOpener(t, 50)
	o.run(t)
	var header string
	rows := tr.collect(t, 50, testenv.Patience, func(l string) bool {
		if strings.HasPrefix(l, "TIME(s)") {
			header = l
			return false
		}
		f := strings.Fields(l)
		return len(f) >= 3 && f[1] == o.comm && f[2] == strconv.Itoa(o.tid)
	})
	code, stderr = tr.stop(t)
	if header != "TIME(s)            COMM             PID    FILE            " {
		t.Errorf("header %q", header)
	}
	if len(rows) != 50 {
		t.Fatalf("%d rows for the child (comm %s, tid %d), want 50; exit %d, stderr:\n%s", len(rows), o.comm, o.tid, code, stderr)
	}
	named := 0
	for _, r := range rows {
		f := strings.Fields(r)
		if _, err := strconv.ParseFloat(f[0], 64); err != nil || len(strings.SplitN(f[0], ".", 2)[1]) != 9 {
			t.Errorf("row %q: TIME(s) is not %%.9f", r)
		}
		if len(f) == 4 && f[3] == o.path {
			named++
		}
	}
	if named == 0 {
		t.Errorf("no row names the child's file %s: %q", o.path, rows[:3])
	}
	assertNothingLeft(t, before)
}

// execMarker runs /bin/true with a unique argument, n times.
func execMarker(t *testing.T, marker string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := exec.Command("/bin/true", marker).Run(); err != nil {
			t.Fatal(err)
		}
	}
}

// Each of the project's BCC-dialect programs, one per feature family, runs
// on this kernel and shows what it should.
func TestRunBCCPrograms(t *testing.T) {
	needRun(t)
	marker := fmt.Sprintf("ehmark%d", time.Now().UnixNano()%1e9)
	tests := []struct {
		file    string
		args    []string
		trigger func(t *testing.T) (pid int, comm string)
		want    func(out string, pid int, comm string) bool
	}{
		{"printk_args.c", nil,
			func(t *testing.T) (int, string) { o := startOpener(t, 5); o.run(t); return o.pid, o.comm },
			func(out string, pid int, comm string) bool {
				return strings.Contains(out, fmt.Sprintf("openat pid=%d comm=%s", pid, comm))
			}},
		{"exec_dataloc.c", nil,
			func(t *testing.T) (int, string) { execMarker(t, marker, 3); return 0, "" },
			func(out string, _ int, _ string) bool { return strings.Contains(out, "exec /bin/true") }},
		{"exec_args.c", nil,
			func(t *testing.T) (int, string) { execMarker(t, marker, 3); return 0, "" },
			func(out string, _ int, _ string) bool { return strings.Contains(out, marker) }},
		{"syscall_kprobe.c", []string{"--kprobe", "sys_execve=syscall__execve"},
			func(t *testing.T) (int, string) { execMarker(t, marker, 3); return 0, "" },
			func(out string, _ int, _ string) bool { return strings.Contains(out, "/bin/true") }},
		{"ringbuf.c", nil,
			func(t *testing.T) (int, string) { execMarker(t, marker, 3); return os.Getpid(), "true" },
			func(out string, pid int, comm string) bool {
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, " "+comm) && strings.Contains(l, strconv.Itoa(pid)) { // ppid is the test
						return true
					}
				}
				return false
			}},
		{"count_hash.c", nil,
			func(t *testing.T) (int, string) { o := startOpener(t, 500); o.run(t); return o.pid, o.comm },
			func(out string, pid int, _ string) bool { return strings.Contains(out, strconv.Itoa(pid)) }},
		{"log2_hist.c", nil,
			func(t *testing.T) (int, string) { o := startOpener(t, 5); o.run(t); return 0, "" },
			func(out string, _ int, _ string) bool { return strings.Contains(out, "distribution") }},
		{"tail_call.c", nil,
			func(t *testing.T) (int, string) { return 0, "" },
			func(out string, _ int, _ string) bool { return strings.TrimSpace(out) != "" }},
	}
	// These print their maps at exit: Ctrl-C once the trigger ran (a
	// --duration could end before a busy machine ran it).
	atExit := map[string]bool{"count_hash.c": true, "log2_hist.c": true, "tail_call.c": true}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			args := append(append([]string{"run"}, tt.args...), filepath.Join(programsDir, tt.file))
			tr := startTracer(t, runReady, args...)
			pid, comm := tt.trigger(t)
			if atExit[tt.file] {
				_ = tr.Cmd.Process.Signal(syscall.SIGINT)
			}
			var out strings.Builder
			deadline := time.After(testenv.Patience)
		read:
			for !tt.want(out.String(), pid, comm) {
				select {
				case l, ok := <-tr.Lines:
					if !ok {
						break read
					}
					out.WriteString(l + "\n")
				case <-deadline:
					break read
				}
			}
			if !tt.want(out.String(), pid, comm) {
				code, stderr := tr.stop(t)
				t.Fatalf("output lacks what %s shows (pid %d, comm %q); exit %d\nstdout:\n%s\nstderr:\n%s", tt.file, pid, comm, code, out.String(), stderr)
			}
			tr.stop(t)
		})
	}
}

// A kprobe on an internal kernel function has no tracepoint to fall back
// on: without kprobes, run fails with one line saying so.
func TestRunKprobeWithoutKprobes(t *testing.T) {
	needRun(t)
	if _, err := os.Stat("/sys/kernel/tracing/kprobe_events"); err == nil {
		t.Skip("this kernel has kprobes (make vmtest covers the kprobe path)")
	}
	_, stderr, code := runOnce(t, "run", filepath.Join(programsDir, "kprobe_internal.c"))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code == 0 || !strings.Contains(last, "vfs_read") || !strings.Contains(strings.ToLower(last), "kprobe") {
		t.Errorf("exit %d, stderr:\n%s\nwant a last line naming vfs_read and the missing kprobes", code, stderr)
	}
}

// run --emit prints libbpf-style C that compiles on its own, with the
// plan of the BCC program in it.
func TestRunEmit(t *testing.T) {
	dir := copyTutorial(t, "hello2.c")
	out, stderr, code := runOnce(t, "run", "--kprobe", "do_sys_openat2=hello_world", "--emit", filepath.Join(dir, "hello2.c"))
	if code != 0 || !strings.Contains(out, `SEC("kprobe/do_sys_openat2")`) || !strings.Contains(out, "// ebpf-hello plan: ") {
		t.Fatalf("--emit: exit %d, stderr %s\n%s", code, stderr, out)
	}
	emitted := filepath.Join(dir, "hello2.bcc.bpf.c")
	if err := os.WriteFile(emitted, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := startTracer(t, runReady, "run", emitted)
	o := startOpener(t, 10)
	o.run(t)
	rows := tr.collect(t, 10, testenv.Patience, func(l string) bool {
		// Without the script's print(), the columns follow struct data_t.
		f := strings.Fields(l)
		return len(f) >= 3 && slices.Contains(f, o.comm) && slices.Contains(f, strconv.Itoa(o.tid))
	})
	code, stderr = tr.stop(t)
	if len(rows) != 10 {
		t.Fatalf("the emitted C printed %d rows for the child, want 10; exit %d, stderr:\n%s", len(rows), code, stderr)
	}
}
