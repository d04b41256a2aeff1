package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunVariableLengthEvents: an execsnoop-like event sends only its used
// part (header + arguments); such samples were dropped as "too short".
// They are shown, the arguments as words.
func TestRunVariableLengthEvents(t *testing.T) {
	testenv.RequireRoot(t)
	tr := startTracer(t, "running", "run", runProgram("varlen_exec.bpf.c"), "--set", "targ_ppid="+strconv.Itoa(os.Getpid()), "--json", "-n", "1")
	if out, err := exec.Command("/bin/echo", "one", "two", "three").CombinedOutput(); err != nil {
		t.Fatalf("echo: %v %s", err, out)
	}
	lines := tr.collect(t, 1, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 1 {
		t.Fatalf("exit %d, %d lines; stderr:\n%s", code, len(lines), stderr)
	}
	var ev struct {
		Count int    `json:"args_count"`
		Args  string `json:"args"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Count != 4 || ev.Args != "/bin/echo one two three" {
		t.Errorf("event %s: want 4 arguments, /bin/echo one two three", lines[0])
	}
}
