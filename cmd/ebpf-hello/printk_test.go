package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// printkLine is one `printk --format json` line.
type printkLine struct {
	Raw       string `json:"raw"`
	Task      string `json:"task"`
	PID       int    `json:"pid"`
	CPU       int    `json:"cpu"`
	Flags     string `json:"flags"`
	Timestamp string `json:"timestamp"`
	Function  string `json:"function"`
	Message   string `json:"message"`
}

// keepOpening opens a file every 20 ms until the test ends, so the hello
// program has something to say.
func keepOpening(t *testing.T) {
	t.Helper()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if f, err := os.Open("/proc/self/stat"); err == nil {
					f.Close()
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// TestPrintkCountPrintsHelloLines: --count 3 stops after three Hello lines,
// each split into the fields the tutorial explains.
func TestPrintkCountPrintsHelloLines(t *testing.T) {
	before := ourPrograms(t)
	keepOpening(t)
	tr := startTracer(t, ready.Line, "printk", "--count", "3", "--format", "json")
	code, stderr := tr.wait(t, testenv.Patience)
	var lines []printkLine
	for raw := range tr.Lines {
		var l printkLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("not JSON: %q: %v", raw, err)
		}
		lines = append(lines, l)
	}
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d with %d lines, want exit 0 with 3; stderr:\n%s", code, len(lines), stderr)
	}
	for _, l := range lines {
		ts, err := strconv.ParseFloat(l.Timestamp, 64)
		if l.Message != "Hello, World!" || l.Function != "bpf_trace_printk" || l.Task == "" || l.PID <= 0 ||
			l.CPU < 0 || l.CPU >= runtime.NumCPU() || len(l.Flags) < 4 || err != nil || ts <= 0 {
			t.Errorf("bad fields %+v", l)
		}
		if !strings.HasSuffix(l.Raw, "Hello, World!") || !strings.Contains(l.Raw, fmt.Sprintf("-%d", l.PID)) {
			t.Errorf("raw line %q does not match its fields", l.Raw)
		}
	}
	if !strings.Contains(stderr, "consumes") || !strings.Contains(stderr, "attach: using") {
		t.Errorf("stderr should say trace_pipe is consumed and which attach mode is used:\n%s", stderr)
	}
	assertNothingLeft(t, before)
}

// TestPrintkExplainsFields: the default format explains each field.
func TestPrintkExplainsFields(t *testing.T) {
	keepOpening(t)
	tr := startTracer(t, ready.Line, "printk", "--count", "2")
	code, stderr := tr.wait(t, testenv.Patience)
	var out []string
	for line := range tr.Lines {
		out = append(out, line)
	}
	text := strings.Join(out, "\n")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if n := strings.Count(text, "bpf_trace_printk: Hello, World!"); n != 2 {
		t.Errorf("%d raw Hello lines, want 2:\n%s", n, text)
	}
	for _, field := range []string{"task", "pid", "cpu", "flags", "timestamp", "function", "message"} {
		if strings.Count(text, "    "+field+" ") != 2 {
			t.Errorf("field %q not explained once per line:\n%s", field, text)
		}
	}
}

// TestPrintkEachAttachMode: each mode prints Hello lines or fails with its
// documented reason, in one line.
func TestPrintkEachAttachMode(t *testing.T) {
	bin := binary(t)
	documented := map[string][]string{
		"kprobe":     {"kernel built without CONFIG_KPROBES", "not in /proc/kallsyms", "not found by the kernel"},
		"fentry":     {"kernel refused to load", "fentry needs kernel 5.5"},
		"tracepoint": nil, // must work
	}
	keepOpening(t)
	for _, mode := range []string{"kprobe", "fentry", "tracepoint", "auto"} {
		t.Run(mode, func(t *testing.T) {
			requireRootAndSetpriv(t)
			before := ourPrograms(t)
			r := runBinary(t, bin, "printk", "--attach", mode, "--count", "1", "--format", "raw")
			if r.code == 0 {
				if !strings.HasSuffix(strings.TrimSpace(r.stdout), "Hello, World!") {
					t.Errorf("stdout %q is not one Hello line", r.stdout)
				}
				if mode != "auto" && !strings.Contains(r.stderr, "attach: using "+mode) {
					t.Errorf("stderr does not say it used %s:\n%s", mode, r.stderr)
				}
			} else {
				assertOneLineError(t, r)
				ok := false
				for _, reason := range documented[mode] {
					ok = ok || strings.Contains(r.stderr, reason)
				}
				if !ok {
					t.Errorf("--attach %s failed for an undocumented reason: %s", mode, r.stderr)
				}
			}
			assertNothingLeft(t, before)
		})
	}
}

// TestPrintkAllShowsOtherLines: --all shows a line written to trace_marker,
// which the default filter hides.
func TestPrintkAllShowsOtherLines(t *testing.T) {
	tr := startTracer(t, ready.Line, "printk", "--all", "--format", "json")
	marker := fmt.Sprintf("ebpf-hello test marker %d", time.Now().UnixNano())
	if err := os.WriteFile("/sys/kernel/tracing/trace_marker", []byte(marker), 0); err != nil {
		t.Fatal(err)
	}
	got := tr.collect(t, 1, testenv.Patience, func(line string) bool { return strings.Contains(line, marker) })
	code, stderr := tr.stop(t)
	if len(got) != 1 {
		t.Fatalf("the trace_marker line never showed with --all; stderr:\n%s", stderr)
	}
	var l printkLine
	if err := json.Unmarshal([]byte(got[0]), &l); err != nil || l.Function != "tracing_mark_write" || l.Message != marker {
		t.Errorf("marker line parsed as %+v (%v)", l, err)
	}
	if code != 0 {
		t.Errorf("exit %d after SIGINT, want 0", code)
	}
}

func TestPrintkRejectsBadInput(t *testing.T) {
	bin := binary(t)
	for _, args := range [][]string{
		{"printk", "--format", "xml"},
		{"printk", "--attach", "bogus"},
		{"printk", "--count", "-1"},
		{"printk", "--duration", "xyz"},
		{"printk", "--nope"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			assertOneLineError(t, runBinary(t, bin, args...))
		})
	}
}

func TestPrintkAsNonRootSaysWhatItNeeds(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	r := runCommand(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, "printk", "-n", "1")
	assertOneLineError(t, r)
	if !strings.Contains(r.stderr, "root") {
		t.Errorf("the error should say root is needed: %s", r.stderr)
	}
}
