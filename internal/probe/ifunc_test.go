package probe

import (
	"debug/elf"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestIFUNCFromAProcess: the implementation of libc's strlen read from a
// running process's GOT is the one the dynamic linker gives this process
// (dlopen, the way that needs the library loaded here).
func TestIFUNCFromAProcess(t *testing.T) {
	testenv.RequireRoot(t) // /proc/PID/mem of another process
	path, err := findBinary("c")
	if err != nil {
		testenv.Skip(t, "no libc here: "+err.Error())
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sym, err := findSymbol(f, "strlen")
	if err != nil || elf.ST_TYPE(sym.Info) != elf.STT_GNU_IFUNC {
		testenv.Skip(t, "strlen is not an IFUNC in "+path)
	}
	// A process of root's (the test runs as root) that has libc loaded, so
	// one surely exists.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()
	var impl uint64
	var pid int
	var procErr error
	for deadline := time.Now().Add(testenv.Patience); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if impl, pid, procErr = ifuncFromProcess(f, info, sym.Value); procErr == nil {
			break // some process (sleep, at the latest once it relocated libc) has it
		}
	}
	if procErr != nil {
		t.Fatal(procErr)
	}
	loaded, name, err := ifuncTarget(path, "strlen")
	if err != nil {
		t.Fatal(err)
	}
	if impl != loaded {
		t.Errorf("process %d says strlen is at %#x, dlopen says %#x (%s)", pid, impl, loaded, name)
	}
}

// Only root's processes are read: another user's could hold any address
// in its GOT, and the uprobe would go there.
func TestIFUNCTrustsOnlyRootsProcesses(t *testing.T) {
	testenv.RequireRoot(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		testenv.Skip(t, "no setpriv(1)")
	}
	nobody := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "60")
	if err := nobody.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = nobody.Process.Kill(); _ = nobody.Wait() }()
	for deadline := time.Now().Add(testenv.Patience); ownedByRoot(nobody.Process.Pid) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	} // until setpriv has changed its uids
	if ownedByRoot(nobody.Process.Pid) {
		t.Errorf("process %d, run as nobody, counted as root's", nobody.Process.Pid)
	}
	if !ownedByRoot(os.Getpid()) {
		t.Errorf("this test's own process (root) not counted as root's")
	}
}
