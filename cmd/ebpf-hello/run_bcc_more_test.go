package main

// End-to-end tests of `run` on BCC scripts written for the front end's
// gaps (testdata/bcc): each script is the project's own, using the
// construct BCC's tutorial and tools use.

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

const bccScripts = "testdata/bcc"

// forkingShell runs bash with two commands (it forks for the first with
// glibc's fork, a clone syscall; dash would vfork) and returns its pid.
func forkingShell(t *testing.T) int {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to fork a child")
	}
	cmd := exec.Command(bash, "-c", "/bin/true; /bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// BPF(text='...').trace_print() on one line: kprobe__sys_clone runs on the
// clone tracepoints here, and its lines are printed as trace_print does.
func TestRunBCCOneLine(t *testing.T) {
	needRun(t)
	before := ourPrograms(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "oneline.py"))
	pid := forkingShell(t)
	mine := tr.collect(t, 1, testenv.Patience, func(l string) bool {
		return strings.Contains(l, "a task was cloned") && strings.Contains(l, fmt.Sprintf("-%d ", pid))
	})
	code, stderr := tr.stop(t)
	if len(mine) == 0 {
		t.Fatalf("no line from the shell's clone (pid %d); exit %d, stderr:\n%s", pid, code, stderr)
	}
	if code != 0 || !strings.Contains(stderr, "sys_enter_clone") {
		t.Errorf("exit %d; stderr (want the clone tracepoints named):\n%s", code, stderr)
	}
	assertNothingLeft(t, before)
}
