package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunUSDT: a libbpf-style SEC("usdt") program attached where --usdt
// says, to a program of ours with a sys/sdt.h probe: one row per probe
// hit, its arguments read by BPF_USDT. Without --usdt, one line names it.
func TestRunUSDT(t *testing.T) {
	needRun(t)
	if r := runCommand(t, binary(t), "run", runProgram("usdt_tick.bpf.c"), "-d", "1s"); r.code == 0 ||
		!strings.Contains(r.stderr, "--usdt BINARY:PROVIDER:NAME=on_tick") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("without --usdt: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	ticker, cmd, stdin := startTicker(t, "hello-usdt")
	tr := startTracer(t, "running", "run", runProgram("usdt_tick.bpf.c"), "--usdt", ticker+":ehtest:tick=on_tick", "-n", "3")
	for i := 0; i < 3; i++ {
		if _, err := io.WriteString(stdin, "tick\n"); err != nil {
			t.Fatal(err)
		}
	}
	lines := tr.collect(t, 4, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 4 {
		t.Fatalf("exit %d, lines %q (want a header and 3 rows); stderr:\n%s", code, lines, stderr)
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	for i, l := range lines[1:] {
		if f := strings.Fields(l); len(f) != 3 || f[0] != pid || f[1] != strconv.Itoa(i+1) || f[2] != "hello-usdt" {
			t.Errorf("row %d: %q, want %s %d hello-usdt", i+1, l, pid, i+1)
		}
	}
	if !strings.Contains(stderr, "attach: on_tick: usdt "+ticker+":ehtest:tick") {
		t.Errorf("stderr does not say where the probe went:\n%s", stderr)
	}
	r := runCommand(t, binary(t), "run", runProgram("usdt_tick.bpf.c"), "--usdt", ticker+":ehtest:nosuch=on_tick", "-d", "1s")
	if r.code == 0 || !strings.Contains(r.stderr, "has no USDT probe ehtest:nosuch") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("a probe the binary lacks: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// startTicker builds testdata/usdt/ticker.c and starts it with word; it
// fires its probe ehtest:tick once per line written to stdin.
func startTicker(t *testing.T, word string) (string, *exec.Cmd, io.WriteCloser) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		testenv.Skip(t, "no gcc to build the USDT target (make setup installs it)")
	}
	ticker := filepath.Join(t.TempDir(), "ticker")
	if out, err := exec.Command(gcc, "-O2", "-o", ticker, "testdata/usdt/ticker.c").CombinedOutput(); err != nil {
		testenv.Skip(t, fmt.Sprintf("cannot build the USDT target (sys/sdt.h is in systemtap-sdt-dev): %v %s", err, out))
	}
	cmd := exec.Command(ticker, word)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("ticker: %q, %v", line, err)
	}
	return ticker, cmd, stdin
}

// TestRunBCCUSDT: BCC's USDT(pid=N) + enable_probe + BPF(usdt_contexts=...)
// run as BCC runs them: the probe found by name (with or without its
// provider) in the process the script's argument names, its arguments read
// by bpf_usdt_readarg and bpf_usdt_readarg_p, printed through perf output
// and through trace_fields.
func TestRunBCCUSDT(t *testing.T) {
	needRun(t)
	_, cmd, stdin := startTicker(t, "bcc-usdt")
	pid := strconv.Itoa(cmd.Process.Pid)
	before := ourPrograms(t)

	tr := startTracer(t, runReady, "run", filepath.Join(bccScripts, "usdt_perf.py"), "-n", "3", "--", pid)
	for i := 0; i < 3; i++ {
		if _, err := io.WriteString(stdin, "tick\n"); err != nil {
			t.Fatal(err)
		}
	}
	lines := tr.collect(t, 4, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "PID") {
		t.Fatalf("exit %d, lines %q (want the header and 3 rows); stderr:\n%s", code, lines, stderr)
	}
	for i, l := range lines[1:] {
		if f := strings.Fields(l); len(f) != 3 || f[0] != pid || f[1] != strconv.Itoa(i+1) || f[2] != "bcc-usdt" {
			t.Errorf("row %d: %q, want %s %d bcc-usdt", i+1, l, pid, i+1)
		}
	}
	if !strings.Contains(stderr, ":ehtest:tick") {
		t.Errorf("stderr does not say where the probe went:\n%s", stderr)
	}

	tr = startTracer(t, runReady, "run", filepath.Join(bccScripts, "usdt_fields.py"), "--", pid)
	if _, err := io.WriteString(stdin, "tick\n"); err != nil {
		t.Fatal(err)
	}
	mine := tr.collect(t, 1, testenv.Patience, func(l string) bool { return strings.Contains(l, "tick word:bcc-usdt") })
	code, stderr = tr.stop(t)
	if len(mine) == 0 || !strings.Contains(mine[0], " "+pid+" ") {
		t.Fatalf("no trace_fields line with the word from pid %s; exit %d, stderr:\n%s", pid, code, stderr)
	}
	assertNothingLeft(t, before)

	// no PID given: one line saying how to give it
	r := runCommand(t, binary(t), "run", filepath.Join(bccScripts, "usdt_perf.py"), "-d", "1s")
	if r.code == 0 || !strings.Contains(r.stderr, "after --") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("without the PID: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// a process without the probe
	r = runCommand(t, binary(t), "run", filepath.Join(bccScripts, "usdt_perf.py"), "-d", "1s", "--", strconv.Itoa(os.Getpid()))
	if r.code == 0 || !strings.Contains(r.stderr, "has no USDT probe tick") {
		t.Errorf("a process without the probe: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
