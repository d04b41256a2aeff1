package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunReadableValues: a learner's event fields are shown as a person
// reads them, from their BTF types and names alone: a failed open's flags
// and -ENOENT, a signal's name, a TCP connect's addresses, ports (one in
// network order) and states. JSON keeps the numbers and adds the names;
// --raw-values shows the numbers only.
func TestRunReadableValues(t *testing.T) {
	testenv.RequireRoot(t)
	listenerPort(t) // listening before the tracer starts: its LISTEN is not the event looked for
	missing := fmt.Sprintf("/nonexistent-eh-%d", os.Getpid())
	want := map[string][]string{
		"open":    {`"flags":524288,"flags_name":"O_RDONLY|O_CLOEXEC","fname":"` + missing + `"`},
		"return":  {`"ret":-2,"ret_name":"ENOENT"`},
		"signal":  {`"sig":10,"sig_name":"SIGUSR1"`},
		"connect": {`"saddr":"127.0.0.1","daddr":"127.0.0.1"`, `"newstate":2,"newstate_name":"TCP_SYN_SENT"`},
	}
	lines := readableRun(t, missing, "--json")
	for what, parts := range want {
		found := false
		for _, line := range lines {
			if containsAll(line, parts) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s event with %q in:\n%s", what, parts, strings.Join(lines, "\n"))
		}
	}
	// The connect's port: dport is __be16 (network order), shown in host
	// order; sport comes from the tracepoint in host order, as it is.
	port := listenerPort(t)
	if !strings.Contains(strings.Join(lines, "\n"), `"dport":`+strconv.Itoa(port)) {
		t.Errorf("no connect event to port %d in:\n%s", port, strings.Join(lines, "\n"))
	}
	// The map printed at exit: its key's address and port, readable too.
	wantKey := fmt.Sprintf(`{"map":"conns","key":{"daddr":"127.0.0.1","dport":%d,"family":2},"value":`, port)
	if !strings.Contains(strings.Join(lines, "\n"), wantKey) {
		t.Errorf("no map item %s... in:\n%s", wantKey, strings.Join(lines, "\n"))
	}

	raw := readableRun(t, missing, "--json", "--raw-values")
	for _, line := range raw {
		if strings.Contains(line, "_name") || strings.Contains(line, `"saddr":"`) {
			t.Errorf("--raw-values still names a value: %s", line)
		}
	}
}

// readableRun runs readable_values.bpf.c for this process while it opens a
// missing file, signals a child and connects to a local listener, and
// returns the JSON lines of those four kinds of event.
func readableRun(t *testing.T, missing string, flags ...string) []string {
	t.Helper()
	args := append([]string{"run", runProgram("readable_values.bpf.c"), "--set", "targ_tgid=" + strconv.Itoa(os.Getpid())}, flags...)
	tr := startTracer(t, "ready", args...)
	if _, err := os.Open(missing); err == nil {
		t.Fatalf("%s exists", missing)
	}
	child := exec.Command("sleep", "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	_ = child.Process.Signal(syscall.SIGUSR1)
	_ = child.Wait()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", listenerPort(t)))
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	seen := map[string]bool{}
	lines := tr.collect(t, 4, testenv.Patience, func(line string) bool {
		for _, hook := range []string{`"hook":1,`, `"hook":2,`, `"hook":3,`, `"hook":4,`} {
			if strings.Contains(line, hook) && !seen[hook] && (hook != `"hook":1,` || strings.Contains(line, missing)) &&
				(hook != `"hook":2,` || strings.Contains(line, `"ret":-2`)) &&
				(hook != `"hook":3,` || strings.Contains(line, `"sig":10,`)) && // not the runtime's own SIGURG
				(hook != `"hook":4,` || strings.Contains(line, `"newstate":2`)) {
				seen[hook] = true
				return true
			}
		}
		return false
	})
	if code, stderr := tr.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// What it printed at exit: the map.
	return append(lines, tr.collect(t, 1, testenv.Patience, func(l string) bool { return strings.HasPrefix(l, `{"map":"conns"`) })...)
}

var testListener net.Listener

// listenerPort is a TCP listener on 127.0.0.1 that accepts for the test.
func listenerPort(t *testing.T) int {
	t.Helper()
	if testListener == nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		testListener = l
	}
	return testListener.Addr().(*net.TCPAddr).Port
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
