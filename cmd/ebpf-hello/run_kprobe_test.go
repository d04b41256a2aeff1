package main

// The kprobe/kretprobe and fentry/fexit programs of testdata/run. make
// vmtest runs them on kernels that have both (scripts/vm/init.sh); here
// they run for real where this kernel allows it, and otherwise must fail
// with one line naming the hook the kernel lacks.

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

func TestRunKprobeAndFentryPrograms(t *testing.T) {
	needRun(t)
	for _, tt := range []struct {
		file  string
		kinds []string // the program: its attach kind, in stderr's words
		// mapRow finds the second program's output for the opener's opens.
		mapRow func(out string, pid int) bool
	}{
		{"kprobe_ring.bpf.c", []string{"run_kprobe_open: kprobe do_sys_openat2", "run_kretprobe_open: kretprobe do_sys_openat2"},
			func(out string, pid int) bool {
				// opens: pid -> successful opens (5 and more)
				m := regexp.MustCompile(`(?m)^` + strconv.Itoa(pid) + `\s+(\d+)\s*$`).FindStringSubmatch(out)
				n := 0
				if m != nil {
					n, _ = strconv.Atoi(m[1])
				}
				return n >= 5
			}},
		{"fentry_perf.bpf.c", []string{"run_fentry_open: fentry do_sys_openat2", "run_fexit_open: fexit do_sys_openat2"},
			func(out string, _ int) bool {
				// fd_hist: a log2 histogram of the descriptors, 5 and more in all
				total := 0
				for _, m := range regexp.MustCompile(`(?m)^\s*\d+ -> \d+\s+: (\d+)\s`).FindAllStringSubmatch(out, -1) {
					n, _ := strconv.Atoi(m[1])
					total += n
				}
				return total >= 5
			}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			// Can this kernel run it at all? If not: one line, naming the hook.
			_, stderr, code := runOnce(t, "run", runProgram(tt.file), "--set", "targ_comm=nobody-at-all", "-d", "100ms")
			if code != 0 {
				kind := strings.Fields(strings.SplitN(tt.kinds[0], ": ", 2)[1])[0]
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				last := lines[len(lines)-1]
				if code != 1 || strings.Count(stderr, "error:") != 1 || !strings.Contains(last, "error:") || !strings.Contains(last, kind) || strings.Contains(stderr, "panic") {
					t.Fatalf("exit %d; want exit 1 and one error line naming %s; stderr:\n%s", code, kind, stderr)
				}
				t.Logf("this kernel cannot (make vmtest runs it): %s", last)
				return
			}
			before := ourPrograms(t)
			o := startOpener(t, 5)
			tr := startTracer(t, runReady, "run", runProgram(tt.file), "--set", "targ_comm="+o.comm)
			o.run(t)
			rows := tr.collect(t, 5, testenv.Patience, func(l string) bool {
				f := strings.Fields(l)
				return len(f) == 3 && f[0] == strconv.Itoa(o.pid) && f[1] == o.comm && f[2] == o.path
			})
			time.Sleep(200 * time.Millisecond) // the last return probes
			code, stderr = tr.stop(t)
			rest := strings.Join(tr.collect(t, 1000, time.Second, func(string) bool { return true }), "\n")
			if code != 0 || len(rows) != 5 || !tt.mapRow(rest, o.pid) {
				t.Fatalf("exit %d, %d event rows for the opener (want 5), what followed:\n%s\nstderr:\n%s", code, len(rows), rest, stderr)
			}
			for _, k := range tt.kinds {
				if !strings.Contains(stderr, "attach: "+k) {
					t.Errorf("stderr lacks %q:\n%s", "attach: "+k, stderr)
				}
			}
			assertNothingLeft(t, before)
		})
	}
}

// TestRunLeavesOutMissingFunctions: in a libbpf-style object with several
// programs, one whose kernel function this kernel lacks is left out, as
// libbpf-tools' loaders do, with a line saying so; the others run.
func TestRunLeavesOutMissingFunctions(t *testing.T) {
	needRun(t)
	tr := startTracer(t, "running", "run", runProgram("missing_function.bpf.c"))
	for i := 0; i < 3; i++ {
		if f, err := os.Open("/etc/hostname"); err == nil {
			f.Close()
		}
	}
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	if code != 0 || !strings.Contains(stderr, "on_missing: fentry ebpf_hello_no_such_function: this kernel has no such function: left out") {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	m := regexp.MustCompile(`opens = (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no opens count in:\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 3 || n >= 1000000 {
		t.Errorf("opens = %d: want the tracepoint's count (3 or more) and nothing from the left-out program", n)
	}
}
