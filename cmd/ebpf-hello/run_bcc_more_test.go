package main

// End-to-end tests of `run` on BCC scripts written for the front end's
// gaps (testdata/bcc): each script is the project's own, using the
// construct BCC's tutorial and tools use.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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

// Local aliases of a tracepoint's user array (argv), of a user pointer and
// of kernel pointers load (the verifier refused them: "invalid mem access
// 'scalar'") and read what the direct uses read.
func TestRunBCCAliases(t *testing.T) {
	needRun(t)
	marker := fmt.Sprintf("ehalias%d", time.Now().UnixNano()%1e9)
	tr := startTracer(t, runReady, "run", filepath.Join(programsDir, "exec_alias.c"))
	execMarker(t, marker, 3)
	ppid := strconv.Itoa(os.Getpid())
	rows := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		return strings.Contains(l, marker) && len(f) >= 5 && f[1] == ppid && f[2] == "/bin/true" && f[3] == "/bin/true"
	})
	code, stderr := tr.stop(t)
	if len(rows) != 3 {
		t.Fatalf("%d rows naming /bin/true %s with ppid %s, want 3; exit %d, stderr:\n%s", len(rows), marker, ppid, code, stderr)
	}
}

// A BCC tool's options, error branch and --ebpf switch are not output:
// without arguments the options take their defaults and stdout is the
// script's header and rows.
func TestRunBCCScriptPaths(t *testing.T) {
	needRun(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "opens_args.py"))
	o := startOpener(t, 5)
	o.run(t)
	var odd []string // neither the header nor a row
	headers := 0
	rows := tr.collect(t, 5, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		var pid int
		switch _, err := fmt.Sscan(l, &pid); {
		case l == "PID     COMM             FILE":
			headers++
		case err != nil || len(f) < 2:
			odd = append(odd, l)
		}
		// FILE is file[64]: the child's long path, cut
		return len(f) == 3 && f[0] == strconv.Itoa(o.pid) && f[1] == o.comm && strings.HasPrefix(o.path, f[2])
	})
	code, stderr := tr.stop(t)
	if len(rows) != 5 {
		t.Fatalf("%d rows for the child, want 5; exit %d, stderr:\n%s", len(rows), code, stderr)
	}
	if headers != 1 || len(odd) > 0 {
		t.Errorf("%d headers, other lines %q: want the script's header once and rows", headers, odd)
	}
	if !strings.Contains(stderr, "options take their defaults") {
		t.Errorf("stderr does not say the options took their defaults:\n%s", stderr)
	}
}

// Changes to run.go and internal/probe that these tests need, described
// in the front end's report: set each true once it is in.
const (
	// run.go calls writeMaps (internal/runner/mapwrites.go) after attach.
	runnerWritesMaps = true
	// probe loads a program array's slot programs (plan MapWrites with a
	// Program) as their callers' type, attached nowhere.
	probeLoadsTailTargets = true
	// run.go: --json wins over a plan's raw trace_pipe format, and no
	// header line is printed with --json.
	runnerJSONForScripts = true
	// cmd: run FILE -- ARGS gives ARGS to the script (bccrun.Input.Args).
	cmdPassesScriptArgs = true
	// run.go's tailTargets finds a slot program's callers by the plan's
	// program (e.want.Program), whose hooks may be its fallbacks.
	runnerTailTargetsFollowFallbacks = true
	// probe's uprobe errors say what the target does not (it is named
	// once, by run).
	probeUprobeErrorsOnce = true
)

// A value the script writes into a map before tracing is written: the
// program reports the child's opens only once config[0] is 1.
func TestRunBCCMapWrite(t *testing.T) {
	if !runnerWritesMaps {
		t.Skip("needs run.go to call writeMaps (see runnerWritesMaps)")
	}
	needRun(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "config_map.py"))
	o := startOpener(t, 3)
	o.run(t)
	rows := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		return len(f) == 2 && f[0] == strconv.Itoa(o.pid) && f[1] == o.comm
	})
	code, stderr := tr.stop(t)
	if len(rows) != 3 {
		t.Fatalf("%d rows for the child, want 3 (config[0] = 1 written?); exit %d, stderr:\n%s", len(rows), code, stderr)
	}
}

// A program the script loads and puts into a program array runs when the
// tracepoint tail-calls it.
func TestRunBCCTailCall(t *testing.T) {
	if !runnerWritesMaps || !probeLoadsTailTargets {
		t.Skip("needs run.go to call writeMaps and probe to load tail calls' targets (see probeLoadsTailTargets)")
	}
	needRun(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "tail_call.py"))
	o := startOpener(t, 3)
	o.run(t)
	mine := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		return strings.Contains(l, fmt.Sprintf("tail-called for pid %d", o.pid))
	})
	code, stderr := tr.stop(t)
	if len(mine) != 3 {
		t.Fatalf("%d lines from the tail-called program for the child, want 3; exit %d, stderr:\n%s", len(mine), code, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("warnings:\n%s", stderr)
	}
}

// A tracepoint this kernel does not have fails in one line saying which
// case it is, not blaming CONFIG_FTRACE_SYSCALLS.
func TestRunBCCMissingTracepoint(t *testing.T) {
	needRun(t)
	testenv.RequireRoot(t) // tracefs is root's
	if _, err := os.Stat("/sys/kernel/tracing/events/random/urandom_read"); err == nil {
		t.Skip("this kernel has random:urandom_read")
	}
	_, stderr, code := runOnce(t, "run", filepath.Join(bccScripts, "urandom.py"))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code == 0 || !strings.Contains(last, "random:urandom_read does not exist") || strings.Contains(stderr, "FTRACE_SYSCALLS") ||
		!strings.Contains(last, "category random") {
		t.Errorf("exit %d, stderr:\n%s\nwant a last line saying random:urandom_read is not here and why", code, stderr)
	}
}

// A callback printing strftime("%H:%M:%S") is followed: one header, the
// script's, and rows starting with the time of day (before: run's own
// table under the script's header, two headers).
func TestRunBCCClockColumn(t *testing.T) {
	needRun(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "opens_clock.py"))
	o := startOpener(t, 3)
	o.run(t)
	var headers []string
	clock := regexp.MustCompile(`^\d\d:\d\d:\d\d$`)
	rows := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		if len(f) > 0 && !clock.MatchString(f[0]) {
			headers = append(headers, l)
		}
		return len(f) == 3 && clock.MatchString(f[0]) && f[1] == strconv.Itoa(o.pid) && f[2] == o.comm
	})
	code, stderr := tr.stop(t)
	if len(rows) != 3 {
		t.Fatalf("%d rows for the child, want 3; exit %d, stderr:\n%s", len(rows), code, stderr)
	}
	if len(headers) != 1 || headers[0] != "TIME      PID     COMM" {
		t.Errorf("lines other than rows: %q, want the script's header once", headers)
	}
}

// A script that attaches one of two programs as its option says (a
// signal snooper: signal_generate, or with -k kill()'s tracepoint) shows
// each signal once (before: both branches were attached, and every signal
// kill() sent was printed twice).
func TestRunBCCSignalsOnce(t *testing.T) {
	needRun(t)
	child := exec.Command("sleep", "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "signals.py"))
	// From one thread on one CPU: its events reach the one perf buffer in
	// order, so the SIGCONT rows before the SIGWINCH row are all of them.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		var cpus unix.CPUSet
		if err := unix.SchedGetaffinity(0, &cpus); err != nil {
			errc <- err
			return
		}
		one := unix.CPUSet{}
		for c := 0; c < 1024; c++ {
			if cpus.IsSet(c) {
				one.Set(c)
				break
			}
		}
		if err := unix.SchedSetaffinity(0, &one); err != nil {
			errc <- err
			return
		}
		for i := 0; i < 3; i++ {
			if err := unix.Kill(child.Process.Pid, unix.SIGCONT); err != nil {
				errc <- err
				return
			}
		}
		errc <- unix.Kill(child.Process.Pid, unix.SIGWINCH)
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	tpid := strconv.Itoa(child.Process.Pid)
	conts, done := 0, false
	tr.collect(t, 1, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		if len(f) < 3 || f[1] != tpid {
			return false
		}
		switch f[2] {
		case strconv.Itoa(int(unix.SIGCONT)):
			conts++
		case strconv.Itoa(int(unix.SIGWINCH)):
			done = true
		}
		return done
	})
	code, stderr := tr.stop(t)
	if !done || conts != 3 {
		t.Fatalf("%d SIGCONT rows for pid %s before its SIGWINCH row (seen: %v), want 3; exit %d, stderr:\n%s", conts, tpid, done, code, stderr)
	}
}

// With --json, a trace_print() script's lines are JSON (before: raw
// trace_pipe lines), and a script's header is not printed: every stdout
// line is a JSON object.
func TestRunBCCJSON(t *testing.T) {
	if !runnerJSONForScripts {
		t.Skip("needs the run.go change for --json (see runnerJSONForScripts)")
	}
	needRun(t)
	tr := startTracer(t, runReady, "run", "--json", filepath.Join(bccScripts, "oneline.py"))
	pid := forkingShell(t)
	var notJSON []string
	mine := tr.collect(t, 1, testenv.Patience, func(l string) bool {
		if !json.Valid([]byte(l)) {
			notJSON = append(notJSON, l)
			return false
		}
		return strings.Contains(l, "a task was cloned") && strings.Contains(l, strconv.Itoa(pid))
	})
	code, stderr := tr.stop(t)
	if len(mine) == 0 || len(notJSON) > 0 {
		t.Fatalf("trace_print with --json: %d JSON lines from pid %d, lines not JSON %q; exit %d, stderr:\n%s", len(mine), pid, notJSON, code, stderr)
	}

	tr = startTracer(t, runReady, "run", "--json", filepath.Join(bccScripts, "opens_args.py"))
	o := startOpener(t, 3)
	o.run(t)
	notJSON = nil
	rows := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		if !json.Valid([]byte(l)) {
			notJSON = append(notJSON, l)
			return false
		}
		return strings.Contains(l, o.comm)
	})
	code, stderr = tr.stop(t)
	if len(rows) != 3 || len(notJSON) > 0 {
		t.Fatalf("events with --json: %d rows for the child, lines not JSON %q (the header?); exit %d, stderr:\n%s", len(rows), notJSON, code, stderr)
	}
}

// The script's own arguments follow --: here its -p filter, put into its
// C by the script's .replace(), so that only the child's opens show.
func TestRunBCCScriptArguments(t *testing.T) {
	if !cmdPassesScriptArgs {
		t.Skip("needs cmd to pass what follows -- to the script (see cmdPassesScriptArgs)")
	}
	needRun(t)
	o := startOpener(t, 3)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "opens_args.py"), "--", "-p", strconv.Itoa(o.pid))
	o.run(t)
	var others []string
	rows := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] == "PID" {
			return false
		}
		if f[0] != strconv.Itoa(o.pid) {
			others = append(others, l)
			return false
		}
		return true
	})
	code, stderr := tr.stop(t)
	if len(rows) != 3 || len(others) > 0 {
		t.Fatalf("-p %d: %d rows for the child, rows of others %q; exit %d, stderr:\n%s", o.pid, len(rows), others, code, stderr)
	}
	if strings.Contains(stderr, "take their defaults") {
		t.Errorf("stderr says the options took their defaults:\n%s", stderr)
	}
	// an option the script does not have is refused before anything loads
	_, stderr, code = runOnce(t, "run", filepath.Join(bccScripts, "opens_args.py"), "--", "--nope")
	if code == 0 || !strings.Contains(stderr, "--nope") || !strings.Contains(stderr, "-p/--pid") {
		t.Errorf("-- --nope: exit %d, stderr:\n%s", code, stderr)
	}
}

// A slot program whose caller is a kprobe running on its tracepoint
// fallback is loaded as a tracepoint program, and the tail call reaches it.
func TestRunBCCTailCallFromFallback(t *testing.T) {
	if !runnerWritesMaps || !probeLoadsTailTargets || !runnerTailTargetsFollowFallbacks {
		t.Skip("needs run.go's tailTargets to find callers on their fallbacks (see runnerTailTargetsFollowFallbacks)")
	}
	needRun(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "tail_kprobe.py"))
	o := startOpener(t, 3)
	o.run(t)
	mine := tr.collect(t, 3, testenv.Patience, func(l string) bool {
		return strings.Contains(l, fmt.Sprintf("tail-called from openat by %d", o.pid))
	})
	code, stderr := tr.stop(t)
	if len(mine) != 3 {
		t.Fatalf("%d lines from the slot program for the child, want 3; exit %d, stderr:\n%s", len(mine), code, stderr)
	}
}

// A uprobe on a symbol the library lacks fails in one line naming the
// program, the target once, and the library file it looked in.
func TestRunBCCUprobeMissing(t *testing.T) {
	if !probeUprobeErrorsOnce {
		t.Skip("needs probe's uprobe errors not to repeat the target (see probeUprobeErrorsOnce)")
	}
	needRun(t)
	testenv.RequireRoot(t)
	_, stderr, code := runOnce(t, "run", filepath.Join(bccScripts, "uprobe_missing.py"))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code == 0 || strings.Count(last, "no_such_function_here") != 1 || strings.Count(last, "on_call") != 1 || !strings.Contains(last, "libc") {
		t.Errorf("exit %d, last line %q: want the program, the target once and the library", code, last)
	}
}

// TestRunBCCPerfEvent: BCC's attach_perf_event with the cpu-clock
// software event at a frequency (profile, runqlen, cpuunclaimed): the
// program samples every CPU, and its count is printed at exit.
func TestRunBCCPerfEvent(t *testing.T) {
	needRun(t)
	testenv.RequireRoot(t)
	r := runCommand(t, binary(t), "run", filepath.Join(bccScripts, "perf_sample.py"), "-d", "1s")
	if r.code != 0 || !strings.Contains(r.stderr, "attach: on_sample: perf_event 99") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	m := regexp.MustCompile(`(?m)^0\s+(\d+)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no sample count in:\n%s", r.stdout)
	}
	if n, _ := strconv.Atoi(m[1]); n == 0 {
		t.Errorf("0 samples in a second at 99 Hz:\n%s", r.stdout)
	}
}

// TestRunBCCLookupOrInit: map.lookup_or_init's result used unchecked, as
// BCC's tools write it (swapin), loads: BCC returns 0 from the function
// when the entry cannot be made, and so does the translation.
func TestRunBCCLookupOrInit(t *testing.T) {
	needRun(t)
	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "lookup_or_init.py"))
	for i := 0; i < 3; i++ {
		if f, err := os.Open("/etc/hostname"); err == nil {
			f.Close()
		}
	}
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 1000, time.Second, func(string) bool { return true }), "\n")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^` + strconv.Itoa(os.Getpid()) + ` [3-9]\d*$`).MatchString(out) {
		t.Errorf("no count of 3 or more opens for this process (pid %d):\n%s", os.Getpid(), out)
	}
}
