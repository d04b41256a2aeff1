package main

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// startSpinner builds and starts testdata/profile/spinner.c (symbols kept,
// frame pointers for the user stacks) and returns its pid.
func startSpinner(t *testing.T) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		testenv.Skip(t, "no gcc to build the profiled program (make setup installs it)")
	}
	spinner := filepath.Join(t.TempDir(), "spinner")
	if out, err := exec.Command(gcc, "-O1", "-fno-omit-frame-pointer", "-o", spinner, "testdata/profile/spinner.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v %s", err, out)
	}
	cmd := exec.Command(spinner)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("spinner: %q, %v", line, err)
	}
	return strconv.Itoa(cmd.Process.Pid)
}

// TestRunProfilerNamesStacks: a perf_event program sampling a spinner of
// ours (cpu-clock, --freq per CPU) records stack ids; run prints them as
// the functions they are: the spinner's spin_here from its ELF symbols,
// the kernel's path of its getppid calls from kallsyms.
func TestRunProfilerNamesStacks(t *testing.T) {
	needRun(t)
	pid := startSpinner(t)

	// Printed every interval: wait for both kinds of stack, not for time.
	tr := startTracer(t, "running", "run", runProgram("profile_stacks.bpf.c"), "--set", "targ_pid="+pid, "--freq", "199", "--interval", "200ms")
	var user, kernel bool
	tr.collect(t, 1, testenv.Patience, func(l string) bool {
		// pid, user stack, kernel stack, comm, count: folded stacks have no spaces.
		if f := strings.Fields(l); len(f) == 5 && f[0] == pid {
			user = user || strings.Contains(f[1], "main;spin_here")
			kernel = kernel || (!strings.HasPrefix(f[2], "[") && !strings.Contains(f[2], "[unknown]"))
		}
		return user && kernel
	})
	code, stderr := tr.stop(t)
	if code != 0 || !user || !kernel {
		t.Errorf("exit %d; a user stack main;spin_here: %v, a kernel stack named whole: %v; stderr:\n%s", code, user, kernel, stderr)
	}
}

// TestRunProfilerNamesStackBuffers: the same in libbpf-bootstrap's shape,
// stacks sent as addresses in each event (bpf_get_stack, its length in
// bytes beside it): each row shows them as functions.
func TestRunProfilerNamesStackBuffers(t *testing.T) {
	needRun(t)
	pid := startSpinner(t)
	tr := startTracer(t, "running", "run", runProgram("profile_buffers.bpf.c"), "--set", "targ_pid="+pid, "--freq", "199")
	got := tr.collect(t, 1, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		return len(f) > 0 && f[0] == pid && strings.HasSuffix(l, "main;spin_here")
	})
	code, stderr := tr.stop(t)
	if code != 0 || len(got) != 1 {
		t.Errorf("exit %d, no row whose user stack ends in main;spin_here; stderr:\n%s", code, stderr)
	}
}
