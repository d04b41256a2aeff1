package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOpenNoFalseLossesAtStart: a child floods opens while `open -n 1`
// starts. Opens that fire between attaching and creating the perf buffer
// used to fail in bpf_perf_event_output (no reader yet) and be reported as
// "events lost (buffer full)" although no buffer was ever full.
func TestOpenNoFalseLossesAtStart(t *testing.T) {
	for _, buffer := range []string{"perf", "ring"} {
		t.Run(buffer, func(t *testing.T) {
			child := startOpener(t, 1<<30) // runs until the test kills it
			if _, err := io.WriteString(child.stdin, "go\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // let the flood start
			r := runBinary(t, binary(t), "open", "--buffer", buffer, "-n", "1", "--pid", strconv.Itoa(child.pid))
			if r.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			events, lost := summary(t, r.stderr)
			if events != 1 || lost != 0 {
				t.Errorf("%d events, %d lost; want 1 event and no loss (the buffer holds thousands); stderr:\n%s", events, lost, r.stderr)
			}
			if strings.Contains(r.stderr, "warning") {
				t.Errorf("unexpected warning:\n%s", r.stderr)
			}
		})
	}
}

// runFIFOBlockers is a child: "path,n". It blocks n threads in open(2) of
// the FIFO path (no writer ever comes), says "ready" once they are all
// there, and waits to be killed.
func runFIFOBlockers(spec string) int {
	path, count, _ := strings.Cut(spec, ",")
	n, _ := strconv.Atoi(count)
	debug.SetMaxThreads(n + 1000) // each blocked open holds an OS thread
	for i := 0; i < n; i++ {
		go func() { _, _ = unix.Open(path, unix.O_RDONLY, 0) }()
	}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return 1
		}
		if len(tasks) >= n {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the last threads reach open
	fmt.Println("ready")
	select {}
}

// TestOpenNotBlindedByAFullStash: any user can fill the map of opens in
// flight with threads blocked opening a FIFO. Other opens must still be
// shown (at entry, without their result), and stderr must warn at once.
func TestOpenNotBlindedByAFullStash(t *testing.T) {
	before := ourPrograms(t)
	tr := startTracer(t, "tracing file opens", "open", "--json")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	blockers := exec.Command(os.Args[0])
	blockers.Env = append(os.Environ(), "EBPF_HELLO_FIFO_BLOCKERS="+fifo+",10600") // the map holds 10240
	out, err := blockers.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := blockers.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = blockers.Process.Kill(); _ = blockers.Wait() })
	if _, err := fmt.Fscanln(out, new(string)); err != nil {
		t.Fatalf("FIFO blockers did not get ready: %v", err)
	}

	child := startOpener(t, 100)
	child.run(t)
	got := tr.collect(t, 100, 10*time.Second, func(line string) bool { return strings.Contains(line, child.path) })
	if len(got) != 100 {
		t.Errorf("%d of the child's 100 opens shown while the stash is full", len(got))
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(tr.errText(), "warning: the map of opens in flight is full") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(tr.errText(), "warning: the map of opens in flight is full") {
		t.Errorf("no warning while running; stderr:\n%s", tr.errText())
	}
	code, stderr := tr.stop(t)
	if code != 0 {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
	t.Logf("stderr:\n%s", stderr)
	assertNothingLeft(t, before)
}
