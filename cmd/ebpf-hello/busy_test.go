package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// holdTracePipe starts `cat trace_pipe` (a learner's other terminal) and
// returns its pid once it has the file open; it is killed when the test ends.
// When cat cannot open it, the test fails naming who holds it.
func holdTracePipe(t *testing.T) int {
	t.Helper()
	pid, err := startTracePipeReader(t)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// startTracePipeReader starts `cat trace_pipe` and waits until cat has it
// open (its pid is returned) or has ended: on kernels that take one
// reader at a time, cat cannot open it while another process reads it,
// and the error names that process (pid, comm) and gives cat's message.
func startTracePipeReader(t *testing.T) (int, error) {
	t.Helper()
	root, err := tracefs.Ensure(nil)
	if err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(root, "trace_pipe")
	var stderr strings.Builder
	cmd := exec.Command("cat", pipe)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	for {
		for _, h := range tracepipe.Holders(pipe) {
			if h.PID == cmd.Process.Pid {
				return h.PID, nil
			}
		}
		select {
		case <-exited:
			return 0, fmt.Errorf("cat never opened trace_pipe (%s: %s); it is held by %s",
				cmd.ProcessState, strings.TrimSpace(stderr.String()), tracePipeHolders(pipe))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// tracePipeHolders names the processes that have pipe open: this test
// process too, which tracepipe.Holders leaves out.
func tracePipeHolders(pipe string) string {
	var names []string
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, fd := range fds {
			if target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); target == pipe {
				names = append(names, thisProcess().String()+", this test")
				break
			}
		}
	}
	for _, h := range tracepipe.Holders(pipe) {
		names = append(names, h.String())
	}
	if len(names) == 0 {
		return "no process this test can see (one of another user's, or one that has just closed it)"
	}
	return strings.Join(names, ", ")
}

// thisProcess is this test process as a trace_pipe holder: pid and comm.
func thisProcess() tracepipe.Holder {
	comm, _ := os.ReadFile("/proc/self/comm")
	return tracepipe.Holder{PID: os.Getpid(), Comm: textsafe.Escape(strings.TrimSuffix(string(comm), "\n"))}
}

// TestTracePipeReaderFailureNamesTheHolder: when trace_pipe is taken, the
// helper's failure said "cat never opened trace_pipe" and no more; it must
// name who holds it. Here the holder is a first cat.
func TestTracePipeReaderFailureNamesTheHolder(t *testing.T) {
	requireRootAndSetpriv(t)
	first := holdTracePipe(t)
	second, err := startTracePipeReader(t)
	if err == nil {
		t.Skipf("this kernel lets a second reader open trace_pipe (cat pids %d and %d both have it)", first, second)
	}
	if want := fmt.Sprintf("held by pid %d (cat)", first); !strings.Contains(err.Error(), want) {
		t.Errorf("the failure %q does not say %q", err, want)
	}
}

// TestPrintkSaysWhoReadsTracePipe: on kernels with one trace_pipe reader
// (6.18 here) a second reader got a bare "device or resource busy"; it must
// say which process holds it. On kernels that allow several readers printk
// runs, and must still work.
func TestPrintkSaysWhoReadsTracePipe(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	pid := holdTracePipe(t)
	keepOpening(t)
	r := runBinary(t, bin, "printk", "--count", "1", "--duration", "10s", "--format", "raw")
	if r.code == 0 {
		t.Skipf("this kernel lets a second reader open trace_pipe (printk printed %q)", r.stdout)
	}
	assertOneLineError(t, r)
	if want := fmt.Sprintf("pid %d (cat)", pid); !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "one reader at a time") {
		t.Errorf("the error should name %s and say one reader at a time: %s", want, r.stderr)
	}
}

// TestDoctorWarnsWhileTracePipeIsRead: a learner's printk (or a cat) reading
// trace_pipe is no fault of the machine: doctor warns and stays ready.
func TestDoctorWarnsWhileTracePipeIsRead(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	pid := holdTracePipe(t)
	r := runBinary(t, bin, "doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json printed invalid JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 0 || !rep.Ready {
		t.Errorf("exit %d, ready %v while cat reads trace_pipe; want 0 and ready:\n%s", r.code, rep.Ready, r.stdout)
	}
	for _, c := range rep.Checks {
		if c.Name == "selftest_printk" && (c.Status != "warn" || !strings.Contains(c.Detail, fmt.Sprintf("pid %d (cat)", pid))) {
			t.Errorf("selftest_printk is %s %q, want a warning naming pid %d (cat)", c.Status, c.Detail, pid)
		}
	}
	if _, err := os.Stat("/proc/" + fmt.Sprint(pid)); err != nil {
		t.Errorf("the reader died during doctor: %v", err)
	}
	if who := fmt.Sprintf("pid %d (cat)", pid); strings.HasSuffix(rep.Summary, "printk works") || !strings.Contains(rep.Summary, who) {
		t.Errorf("summary %q: printk was not checked, and it should say so and name %s", rep.Summary, who)
	}
}

// TestDoctorVerdictWhileThisTestHoldsTracePipe: with trace_pipe held by
// this test itself, doctor warned that printk's self-test was skipped, then
// ended with "printk works". The verdict must say printk was not checked,
// naming this process, in English and in Chinese.
func TestDoctorVerdictWhileThisTestHoldsTracePipe(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	root, err := tracefs.Ensure(nil)
	if err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(root, "trace_pipe")
	r, err := tracepipe.Open(pipe) // names the holder when it is taken
	if err != nil {
		t.Fatalf("cannot hold trace_pipe: %v", err)
	}
	defer r.Close()
	who := thisProcess().String()

	d := runBinary(t, bin, "doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(d.stdout), &rep); err != nil {
		t.Fatalf("doctor --json printed invalid JSON: %v\n%s", err, d.stdout)
	}
	if d.code != 0 || !rep.Ready {
		t.Errorf("exit %d, ready %v while this test holds trace_pipe; want 0 and ready:\n%s", d.code, rep.Ready, d.stdout)
	}
	if s := rep.status("selftest_printk"); s != "warn" {
		t.Errorf("selftest_printk is %q, want warn", s)
	}
	if rep.status("selftest_open") != "ok" {
		t.Errorf("selftest_open is %q, want ok: open does not need trace_pipe", rep.status("selftest_open"))
	}
	if strings.HasSuffix(rep.Summary, "printk works") || !strings.Contains(rep.Summary, "printk not checked: "+who+" holds trace_pipe") {
		t.Errorf("summary %q: want it to say printk was not checked because %s holds trace_pipe", rep.Summary, who)
	}

	zh := runBinary(t, bin, "doctor", "--lang", "zh")
	last := lastStdoutLine(zh.stdout)
	if strings.HasSuffix(last, "printk 可用") || !strings.Contains(last, "未检查 printk："+who) {
		t.Errorf("Chinese verdict %q: want it to say printk was not checked because %s holds trace_pipe", last, who)
	}
}

func lastStdoutLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
