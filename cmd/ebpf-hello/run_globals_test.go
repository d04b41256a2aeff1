package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunPrintsResultGlobals: plain globals the program writes (a counter,
// an array of counters, a .data counter, a struct) are printed at exit as
// its loader would read them; a global it only reads (my_pid, a setting)
// is not.
func TestRunPrintsResultGlobals(t *testing.T) {
	needRun(t)
	o := startOpener(t, 5)
	tr := startTracer(t, "running", "run", runProgram("bss_results.bpf.c"), "--set", "my_pid="+strconv.Itoa(o.pid))
	o.run(t)
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"globals:", "opens = 5", "calls_seen = 1005", "last = pid=" + strconv.Itoa(o.pid) + " comm=" + o.comm} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "my_pid") {
		t.Errorf("a setting the program only reads is shown as a result:\n%s", out)
	}
	m := regexp.MustCompile(`by_cpu = \[(\d+),? (\d+)\]`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no by_cpu line:\n%s", out)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	if a+b != 5 {
		t.Errorf("by_cpu %s + %s, want 5 in all", m[1], m[2])
	}
}

// TestRunLoadsWhatOneCPUFlavourCannot: clang's code for a clamped index
// differs by -mcpu, and the verifier bounds one and not the other (clang
// 14: libbpf-tools' cpufreq); run compiles again with the other and the
// program runs. Its histogram global is printed as one.
func TestRunLoadsWhatOneCPUFlavourCannot(t *testing.T) {
	needRun(t)
	r := runCommand(t, binary(t), "run", runProgram("cpu_bounds.bpf.c"), "-d", "2s")
	if r.code != 0 || !strings.Contains(r.stdout, "rate_of_cpu = [") || !regexp.MustCompile(`0 -> 1 +: [1-9]`).MatchString(r.stdout) {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
