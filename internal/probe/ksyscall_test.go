package probe

import (
	"runtime"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
)

// ksyscall/NAME is a kprobe on the syscall's wrapper, as libbpf attaches
// it; kretsyscall its return.
func TestParseSECKsyscall(t *testing.T) {
	prefix := kernel.SyscallPrefix(runtime.GOARCH)
	for _, c := range []struct {
		sec    string
		kind   Kind
		target string
	}{
		{"ksyscall/openat", Kprobe, prefix + "openat"},
		{"kretsyscall/kill", Kretprobe, prefix + "kill"},
		{"ksyscall", Kprobe, ""},
	} {
		kind, target, ok := ParseSEC(c.sec)
		if !ok || kind != c.kind || target != c.target {
			t.Errorf("ParseSEC(%q) = %s %q %v, want %s %q", c.sec, kind, target, ok, c.kind, c.target)
		}
	}
}
