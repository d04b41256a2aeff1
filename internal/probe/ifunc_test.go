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
	f, err := elf.NewFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sym, err := findSymbol(f, "strlen")
	if err != nil || elf.ST_TYPE(sym.Info) != elf.STT_GNU_IFUNC {
		testenv.Skip(t, "strlen is not an IFUNC in "+path)
	}
	// A process of our own that has libc loaded, so one surely exists.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()
	var impl uint64
	var pid int
	var procErr error
	for deadline := time.Now().Add(testenv.Patience); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if impl, pid, procErr = ifuncFromProcess(f, path, sym.Value); procErr == nil {
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
