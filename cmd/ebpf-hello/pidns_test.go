package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// container is a shell that is PID 1 of a new PID namespace, as a
// container's first process is, waiting for lines on stdin to act.
type container struct {
	stdin   io.WriteCloser
	hostPID int // the shell's id on the host
}

// startContainer runs script in `sh` as PID 1 of a new PID namespace.
func startContainer(t *testing.T, script string, args ...string) *container {
	t.Helper()
	testenv.RequireRoot(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		testenv.Skip(t, "no unshare(1) (util-linux)")
	}
	if _, err := exec.LookPath("nsenter"); err != nil {
		testenv.Skip(t, "no nsenter(1) (util-linux)")
	}
	// --kill-child: the shell, and with it the namespace, ends with unshare.
	cmd := exec.Command(unshare, append([]string{"--pid", "--fork", "--kill-child", "sh", "-c", script, "sh"}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// unshare forks the shell: it is unshare's only child.
	children := fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid)
	deadline := time.Now().Add(testenv.Patience)
	for {
		data, _ := os.ReadFile(children)
		if f := strings.Fields(string(data)); len(f) == 1 {
			pid, _ := strconv.Atoi(f[0])
			return &container{stdin: stdin, hostPID: pid}
		}
		if time.Now().After(deadline) {
			t.Fatalf("unshare started no shell within %v", testenv.Patience)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// trace runs ebpf-hello args inside the container's PID namespace and
// waits until it is ready.
func (c *container) trace(t *testing.T, args ...string) *tracer {
	t.Helper()
	nsenter := []string{"--target", strconv.Itoa(c.hostPID), "--pid", "--", binary(t)}
	p, err := ready.Start(exec.Command("nsenter", append(nsenter, args...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Cmd.Process.Kill(); <-p.Done })
	if err := p.WaitReady(testenv.Patience); err != nil {
		t.Fatalf("ebpf-hello %v in a PID namespace: %v: %s", args, err, p.Stderr())
	}
	return &tracer{p}
}

// TestBuiltinsShowTheNamespacesPIDs: inside a PID namespace, open and exec
// show the ids the learner sees there (the shell is PID 1), --pid filters
// by them, and JSON keeps the host's ids beside them.
func TestBuiltinsShowTheNamespacesPIDs(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "pidns-marker")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The shell opens the marker itself (PID 1), then runs `true` (its child).
	c := startContainer(t, `read go; : <"$1"; read go; /bin/true pidns-marker; read end`, marker)

	opens := c.trace(t, "open", "--json", "--pid", "1", "--count", "1")
	execs := c.trace(t, "exec", "--json", "--comm", "true", "--count", "1")
	if !strings.Contains(opens.Stderr(), "PID namespace") {
		t.Errorf("open said nothing of the PID namespace: %s", opens.Stderr())
	}

	fmt.Fprintln(c.stdin, "go")
	var o struct {
		PID     int    `json:"pid"`
		HostPID int    `json:"host_pid"`
		File    string `json:"file"`
	}
	got := opens.collect(t, 1, testenv.Patience, func(string) bool { return true })
	if len(got) != 1 {
		t.Fatalf("open --pid 1 printed no event: %s", opens.Stderr())
	}
	if err := json.Unmarshal([]byte(got[0]), &o); err != nil {
		t.Fatalf("%q: %v", got[0], err)
	}
	if o.PID != 1 || o.HostPID != c.hostPID || o.File != marker {
		t.Errorf("open: %s\nwant pid 1, host_pid %d, file %s", got[0], c.hostPID, marker)
	}

	fmt.Fprintln(c.stdin, "go")
	var e struct {
		PID      int    `json:"pid"`
		PPID     int    `json:"ppid"`
		HostPID  int    `json:"host_pid"`
		HostPPID int    `json:"host_ppid"`
		File     string `json:"file"`
	}
	got = execs.collect(t, 1, testenv.Patience, func(string) bool { return true })
	if len(got) != 1 {
		t.Fatalf("exec --comm true printed no event: %s", execs.Stderr())
	}
	if err := json.Unmarshal([]byte(got[0]), &e); err != nil {
		t.Fatalf("%q: %v", got[0], err)
	}
	if e.PPID != 1 || e.HostPPID != c.hostPID || e.PID == 0 || e.HostPID == 0 || e.PID == e.HostPID || e.File != "/bin/true" {
		t.Errorf("exec: %s\nwant ppid 1, host_ppid %d, a namespace pid other than the host's", got[0], c.hostPID)
	}
	fmt.Fprintln(c.stdin, "end")
}
