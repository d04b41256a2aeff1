package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunFallbackChain: a script's if/elif/else on the kernel's functions
// kept as a chain (as --emit keeps it where the list was unreadable) is
// tried one branch after the other, not the later branches together: a
// kprobe no kernel has, one on do_sys_openat2, then the open tracepoint.
func TestRunFallbackChain(t *testing.T) {
	before := ourPrograms(t)
	o := startOpener(t, 3)
	tr := startTracer(t, "running", "run", runProgram("kprobe_chain.bpf.c"), "--set", "targ_pid="+strconv.Itoa(o.pid), "--format", "raw", "-n", "3")
	o.run(t)
	lines := tr.collect(t, 3, testenv.Patience, func(string) bool { return true })
	code, stderr := tr.wait(t, testenv.Patience)
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, lines %q; stderr:\n%s", code, lines, stderr)
	}
	if want := fmt.Sprintf("chain: open by %d", o.pid); !strings.HasSuffix(lines[0], want) {
		t.Errorf("line %q does not end in %q", lines[0], want)
	}
	if !strings.Contains(stderr, "kprobe ebpf_hello_no_such_function_1 unavailable") || !strings.Contains(stderr, "using kprobe do_sys_openat2") {
		t.Errorf("stderr does not say the first branch failed and the second was tried:\n%s", stderr)
	}
	// The second branch attaches where kprobes work; here (none) the third.
	if strings.Contains(stderr, "kprobe do_sys_openat2 unavailable") != strings.Contains(stderr, "using tracepoint syscalls:sys_enter_openat") {
		t.Errorf("stderr does not say the third branch was taken after the second failed:\n%s", stderr)
	}
	if strings.Count(stderr, "attach: chain_open") != 1 {
		t.Errorf("the program attached more than once:\n%s", stderr)
	}
	assertNothingLeft(t, before)
}
