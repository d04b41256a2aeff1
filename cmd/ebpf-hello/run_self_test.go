package main

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunDoesNotFeedOnItself: a printk on every write(2) with no filter
// fed on run's own output (381 536 of 381 554 lines were run's own in 4 s).
// run drops what its own threads caused and says how many at exit.
func TestRunDoesNotFeedOnItself(t *testing.T) {
	testenv.RequireRoot(t)
	// Somebody else writes, so there are lines to show.
	writer := exec.Command("dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=100000000")
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = writer.Process.Kill(); _ = writer.Wait() }()

	tr := startTracer(t, "running", "run", runProgram("self_printk_write.bpf.c"), "--format", "json", "-n", "200")
	lines := tr.collect(t, 200, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 200 {
		t.Fatalf("exit %d, %d lines; stderr:\n%s", code, len(lines), stderr)
	}
	for _, line := range lines {
		var l struct {
			Task string `json:"task"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if l.Task == "ebpf-hello" {
			t.Errorf("a line of run's own: %s", line)
		}
	}
	// Each of the 200 lines run printed was a write of its own.
	if m := regexp.MustCompile(`(\d+) caused by ebpf-hello itself not shown \(--show-self shows them\)`).FindStringSubmatch(stderr); m == nil || m[1] == "0" {
		t.Errorf("stderr does not count run's own lines:\n%s", stderr)
	}
}

// TestRunDropsItsOwnEvents: run's own opens (attaching a second tracepoint
// reads its id file) were the first rows of every open tracer.
func TestRunDropsItsOwnEvents(t *testing.T) {
	testenv.RequireRoot(t)
	for _, showSelf := range []bool{false, true} {
		o := startOpener(t, 3)
		args := []string{"run", runProgram("self_events_open.bpf.c"), "--json"}
		if showSelf {
			args = append(args, "--show-self")
		}
		tr := startTracer(t, "running", args...)
		o.run(t)
		var rows []string
		got := tr.collect(t, 1, testenv.Patience, func(line string) bool {
			rows = append(rows, line)
			return strings.Contains(line, `"comm":"`+o.comm+`"`)
		})
		code, stderr := tr.stop(t)
		if code != 0 || len(got) != 1 {
			t.Fatalf("show-self %v: exit %d, no row of %s; stderr:\n%s", showSelf, code, o.comm, stderr)
		}
		own := 0
		for _, r := range rows {
			if strings.Contains(r, `"comm":"ebpf-hello"`) {
				own++
			}
		}
		counted := regexp.MustCompile(`events: .*; (\d+) caused by ebpf-hello itself not shown`).FindStringSubmatch(stderr)
		switch {
		case !showSelf && own > 0:
			t.Errorf("%d rows of run's own opens shown", own)
		case !showSelf && counted == nil:
			t.Errorf("run's own opens (reading the second tracepoint's id) not counted:\n%s", stderr)
		case showSelf && own == 0:
			t.Errorf("--show-self shows none of run's own opens; rows:\n%s", strings.Join(rows, "\n"))
		}
	}
}
