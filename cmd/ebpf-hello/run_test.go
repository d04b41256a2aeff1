package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// The programs under testdata/run are the learner's: libbpf-style C that
// `run` compiles, attaches by SEC() and shows with no Go of their own.
func runProgram(name string) string { return filepath.Join("testdata", "run", name) }

// TestRunRingBufferTracepoint: a tracepoint program's ring buffer events,
// one JSON object per event, decoded by the struct its marker points at.
func TestRunRingBufferTracepoint(t *testing.T) {
	before := ourPrograms(t)
	o := startOpener(t, 5)
	tr := startTracer(t, "running", "run", runProgram("ring_tracepoint.bpf.c"), "--set", "targ_comm="+o.comm, "--json", "-n", "5")
	o.run(t)
	lines := tr.collect(t, 5, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 5 {
		t.Fatalf("exit %d, %d lines %q; stderr:\n%s", code, len(lines), lines, stderr)
	}
	for _, line := range lines {
		var ev struct {
			TS   uint64 `json:"ts"`
			PID  int    `json:"pid"`
			Comm string `json:"comm"`
			File string `json:"file"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if ev.PID != o.pid || ev.Comm != o.comm || !strings.HasPrefix(o.path, ev.File) || ev.TS == 0 {
			t.Errorf("event %+v, want pid %d comm %s file %s", ev, o.pid, o.comm, o.path)
		}
	}
	for _, want := range []string{"attach: run_ring_openat: tracepoint syscalls:sys_enter_openat", "events: 5 events, 0 lost"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	assertNothingLeft(t, before)
}

// TestRunPerfBufferUprobe: a uprobe on libc's strlen, an IFUNC, sends
// events through a perf event array when a program of ours runs.
func TestRunPerfBufferUprobe(t *testing.T) {
	before := ourPrograms(t)
	comm := fmt.Sprintf("ehupr%d", time.Now().UnixNano()%1e8)
	echo := filepath.Join(t.TempDir(), comm)
	if out, err := exec.Command("cp", "/bin/echo", echo).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	tr := startTracer(t, "running", "run", runProgram("perf_uprobe.bpf.c"), "--set", "targ_comm="+comm, "-n", "1")
	// Run the echo again every half second until its row is in: the
	// header alone, or a row late on a busy machine, is no reason to stop.
	var lines []string
	keep := func(string) bool { return true }
	for deadline := time.Now().Add(testenv.Patience); len(lines) < 2 && time.Now().Before(deadline); {
		if tr.exited() { // what it printed is all on Lines
			lines = append(lines, tr.collect(t, 2-len(lines), testenv.Patience, keep)...)
			break
		}
		if out, err := exec.Command(echo, "hello", "uprobe").CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", echo, err, out)
		}
		lines = append(lines, tr.collect(t, 2-len(lines), 500*time.Millisecond, keep)...)
	}
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "pid") || !strings.Contains(lines[1], comm) {
		t.Fatalf("exit %d, lines %q (want the header and one row of %s); stderr:\n%s", code, lines, comm, stderr)
	}
	if !strings.Contains(stderr, "attach: run_perf_strlen: uprobe ") || !strings.Contains(stderr, "IFUNC") {
		t.Errorf("stderr does not say where the uprobe went:\n%s", stderr)
	}
	assertNothingLeft(t, before)
}

// TestRunHashMapRawTracepoint: a raw tracepoint counts a process's
// syscalls in a hash map, printed at Ctrl-C.
func TestRunHashMapRawTracepoint(t *testing.T) {
	before := ourPrograms(t)
	o := startOpener(t, 7)
	tr := startTracer(t, "running", "run", runProgram("hash_raw_tracepoint.bpf.c"), "--set", "targ_pid="+strconv.Itoa(o.pid))
	o.run(t)
	time.Sleep(100 * time.Millisecond)
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	if code != 0 || !strings.Contains(out, "syscalls:") {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out, stderr)
	}
	// openat(2) and close(2) ran 7 times each: some row counts at least 7.
	found := false
	for _, m := range regexp.MustCompile(`(?m)^\s*\d+\s+(\d+)\s*$`).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		found = found || n >= 7
	}
	if !found {
		t.Errorf("no syscall counted 7 times in:\n%s", out)
	}
	if !strings.Contains(stderr, "attach: run_hash_sys_enter: raw_tracepoint sys_enter") {
		t.Errorf("stderr:\n%s", stderr)
	}
	assertNothingLeft(t, before)
}

// TestRunLog2Histogram: an array map named *hist* is printed as BCC's
// print_log2_hist at exit (Ctrl-C here: the end of --duration is the same
// path, and a 2 s --duration could end before a busy machine ran the opens).
func TestRunLog2Histogram(t *testing.T) {
	o := startOpener(t, 5)
	tr := startTracer(t, "running", "run", runProgram("log2_hist.bpf.c"), "--set", "targ_pid="+strconv.Itoa(o.pid))
	o.run(t) // the child has exited: its opens are in the map
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	// O_RDONLY|O_CLOEXEC is 0x80000 (plus O_LARGEFILE on some arches): slot 2^19.
	if code != 0 || !regexp.MustCompile(`524288 -> 1048575\s+: 5\s+\|\*+\|`).MatchString(out) {
		t.Fatalf("exit %d, no log2 row of 5 for 524288 -> 1048575 in:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// TestRunFloodLosesNothingSilently: a one-page perf or ring buffer
// flooded by a child's opens: every open is either a row or counted as
// lost. Perf: also those dropped after the last event that got through
// (the kernel reports a perf buffer's losses only with a later sample).
// Ring: the kernel does not count them at all; run's compiler does.
func TestRunFloodLosesNothingSilently(t *testing.T) {
	for _, tc := range []struct{ program, pages string }{
		{"perf_flood.bpf.c", "1"},
		{"ring_flood.bpf.c", "1"}, // --pages is for perf: the ring's size is the program's
	} {
		t.Run(tc.program, func(t *testing.T) {
			const opens = 20000
			o := startOpener(t, opens)
			tr := startTracer(t, "running", "run", runProgram(tc.program), "--set", "targ_comm="+o.comm, "--pages", tc.pages)
			o.run(t)
			time.Sleep(200 * time.Millisecond)
			code, stderr := tr.stop(t)
			rows := len(tr.collect(t, opens, time.Second, func(line string) bool { return strings.Contains(line, o.comm) }))
			m := regexp.MustCompile(`events: (\d+) events, (\d+) lost`).FindStringSubmatch(stderr)
			if code != 0 || m == nil {
				t.Fatalf("exit %d, no summary in stderr:\n%s", code, stderr)
			}
			shown, _ := strconv.Atoi(m[1])
			lost, _ := strconv.Atoi(m[2])
			if shown != rows || shown+lost != opens || lost == 0 {
				t.Errorf("%d rows, summary says %d events + %d lost; want rows = events, events + lost = %d opens, some lost from one page", rows, shown, lost, opens)
			}
		})
	}
}

// TestRunPrintk: bpf_printk lines from trace_pipe, as BCC's trace_print
// shows them. The program is a kprobe that reads no registers: on kernels
// without kprobes it runs on the open syscalls' tracepoints.
func TestRunPrintk(t *testing.T) {
	before := ourPrograms(t)
	o := startOpener(t, 6) // more lines than -n 3 asks for: the rest must not be printed
	tr := startTracer(t, "running", "run", runProgram("printk.bpf.c"), "--set", "targ_pid="+strconv.Itoa(o.pid), "--format", "raw", "-n", "3")
	o.run(t)
	lines := tr.collect(t, 3, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	lines = append(lines, tr.collect(t, 1, time.Second, func(string) bool { return true })...)
	want := fmt.Sprintf("run test: open by %d", o.pid)
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, lines %q; stderr:\n%s", code, lines, stderr)
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, want) {
			t.Errorf("line %q does not end in %q", l, want)
		}
	}
	if !strings.Contains(stderr, "attach: run_printk_open: kprobe do_sys_openat2") && !strings.Contains(stderr, "runs as a tracepoint program on syscalls:sys_enter_open") {
		t.Errorf("stderr does not say how the kprobe program attached:\n%s", stderr)
	}
	assertNothingLeft(t, before)
}

// TestRunErrorsAreOneLine: what the learner gets wrong is said in one line
// (clang's own lines for a compile error), with exit code 1.
func TestRunErrorsAreOneLine(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "want one FILE"},
		{[]string{"run", filepath.Join(dir, "missing.bpf.c")}, "no such file"},
		{[]string{"run", write("cgroup.bpf.c", head+"SEC(\"cgroup_skb/ingress\") int run_cg(void *ctx) { return 1; }\n")}, `SEC("cgroup_skb/ingress") is not a hook run can attach`},
		{[]string{"run", write("typo.bpf.c", head+"SEC(\"tracepoint/syscalls/sys_enter_openat\") int run_typo(void *ctx) { return nope; }\n")}, "typo.bpf.c:4"},
		{[]string{"run", runProgram("hash_raw_tracepoint.bpf.c"), "--set", "targ_pid=-1"}, "--set targ_pid=-1"},
		{[]string{"run", runProgram("hash_raw_tracepoint.bpf.c"), "--set", "no_such=1"}, "no global variable no_such"},
	} {
		r := runBinary(t, bin, c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "panic") {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestRunUretprobeWhereTheFlagSays: SEC("uretprobe") names no binary (the
// loader's job in libbpf-tools); --uretprobe c:getenv=PROG says where.
// Without it, one line says which flag is missing.
func TestRunUretprobeWhereTheFlagSays(t *testing.T) {
	needRun(t)
	if r := runCommand(t, binary(t), "run", runProgram("uretprobe_flag.bpf.c"), "-d", "1s"); r.code == 0 ||
		!strings.Contains(r.stderr, "--uretprobe BINARY:SYMBOL=getenv_returned") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("without --uretprobe: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if r := runCommand(t, binary(t), "run", runProgram("uretprobe_flag.bpf.c"), "--uretprobe", "c:getenv=nosuch", "-d", "1s"); r.code == 0 ||
		!strings.Contains(r.stderr, "the object has no program nosuch") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("--uretprobe for a program the object lacks: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	before := ourPrograms(t)
	comm := fmt.Sprintf("ehenv%d", time.Now().UnixNano()%1e8)
	date := filepath.Join(t.TempDir(), comm) // date(1) reads TZ with getenv
	if out, err := exec.Command("cp", "/bin/date", date).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	tr := startTracer(t, "running", "run", runProgram("uretprobe_flag.bpf.c"), "--uretprobe", "c:getenv=getenv_returned",
		"--set", "targ_comm="+comm)
	// date asks getenv for its locale too: keep the header and TZ's row.
	var lines []string
	keep := func(l string) bool { return strings.HasPrefix(l, "pid") || strings.Contains(l, "value-"+comm) }
	for deadline := time.Now().Add(testenv.Patience); len(lines) < 2 && time.Now().Before(deadline) && !tr.exited(); {
		cmd := exec.Command(date)
		cmd.Env = append(os.Environ(), "TZ=value-"+comm)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", date, err, out)
		}
		lines = append(lines, tr.collect(t, 2-len(lines), 500*time.Millisecond, keep)...)
	}
	code, stderr := tr.stop(t)
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[1], comm) {
		t.Fatalf("exit %d, lines %q (want the header and a row with getenv's value); stderr:\n%s", code, lines, stderr)
	}
	if !strings.Contains(stderr, "attach: getenv_returned: uretprobe ") {
		t.Errorf("stderr does not say where the uretprobe went:\n%s", stderr)
	}
	assertNothingLeft(t, before)
}
