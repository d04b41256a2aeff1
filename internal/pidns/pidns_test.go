package pidns

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

func TestContainerFromEnviron(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"PATH=/bin\x00container=podman\x00HOME=/", "podman"},
		{"container=\x00", ""},
		{"PATH=/bin\x00", ""},
		{"container=x\x1b[2J", `x\x1b[2J`},
		{"", ""},
	} {
		if got := containerFromEnviron([]byte(tc.env)); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.env, got, tc.want)
		}
	}
}

// TestMain lets a test run this binary in a new PID namespace to ask it.
func TestMain(m *testing.M) {
	if os.Getenv("EH_PIDNS_PROBE") == "1" {
		fmt.Println(child())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestChildPIDNamespaceSeen: in a new PID namespace the check says so (by
// the namespace's inode, which a container's own /proc shows too, where
// NSpid has one level); here it agrees with the host's namespace. No
// --mount-proc: in a chroot (make fresh-test) / is not a mount point, and
// unshare cannot make its mounts private.
func TestChildPIDNamespaceSeen(t *testing.T) {
	testenv.RequireRoot(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		testenv.Skip(t, "no unshare(1)")
	}
	cmd := exec.Command(unshare, "--pid", "--fork", os.Args[0])
	cmd.Env = append(os.Environ(), "EH_PIDNS_PROBE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "true" {
		t.Errorf("in a new PID namespace: %q, %v (want true)", out, err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/pid", &st); err == nil && (st.Ino == initIno) == child() {
		t.Errorf("here: namespace inode %#x, child %v", st.Ino, child())
	}
}

// child is Current's answer alone.
func child() bool {
	_, c := Current()
	return c
}
