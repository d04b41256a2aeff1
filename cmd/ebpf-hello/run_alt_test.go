package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunAttachesOneOfAPair: tp_btf was refused as a hook; and with both
// programs of a libbpf-tools pair attached, every event would count twice.
// run attaches the tp_btf one and leaves its raw_tp twin as the fallback.
func TestRunAttachesOneOfAPair(t *testing.T) {
	testenv.RequireRoot(t)
	tr := startTracer(t, "running", "run", runProgram("tp_btf_pair.bpf.c"), "--set", "targ_ppid="+strconv.Itoa(os.Getpid()))
	for i := 0; i < 3; i++ {
		if out, err := exec.Command("/bin/true").CombinedOutput(); err != nil {
			t.Fatalf("/bin/true: %v %s", err, out)
		}
	}
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, time.Second, func(string) bool { return true }), "\n")
	if code != 0 || !strings.Contains(stderr, "attach: exec_btf: tp_btf sched_process_exec") {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^\s*1\s+3\s*$`).MatchString(out) || regexp.MustCompile(`(?m)^\s*2\s+\d+\s*$`).MatchString(out) {
		t.Errorf("want 3 execs counted by the tp_btf program and none by its raw_tp twin:\n%s", out)
	}
}

// TestRunPairFailureNamesBoth: where the fentry of a pair is refused and
// its kprobe twin fails too, the error said "fentry vfs_read: kernel built
// without CONFIG_KPROBES" (one kind, the other's reason). Where either
// attaches, it runs.
func TestRunPairFailureNamesBoth(t *testing.T) {
	needRun(t)
	r := runCommand(t, binary(t), "run", runProgram("fentry_kprobe_pair.bpf.c"), "-d", "1s")
	if r.code == 0 {
		if !strings.Contains(r.stdout, "reads = ") {
			t.Errorf("ran, but no reads counted:\n%s", r.stdout)
		}
		return
	}
	if !strings.Contains(r.stderr, "fentry vfs_read unavailable (") || !strings.Contains(r.stderr, "using kprobe vfs_read (kprobe_read); that failed too: ") {
		t.Errorf("exit %d, stderr:\n%s(want each kind with its own reason)", r.code, r.stderr)
	}
}
