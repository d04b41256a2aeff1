package usdtnote

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// note builds one ELF note as a compiler lays it out: sizes and type, the
// owner and the descriptor each padded to 4 bytes.
func note(owner string, typ uint32, desc []byte) []byte {
	var b bytes.Buffer
	name := append([]byte(owner), 0)
	_ = binary.Write(&b, binary.LittleEndian, [3]uint32{uint32(len(name)), uint32(len(desc)), typ})
	b.Write(name)
	b.Write(make([]byte, int(align4(uint64(len(name))))-len(name)))
	b.Write(desc)
	b.Write(make([]byte, int(align4(uint64(len(desc))))-len(desc)))
	return b.Bytes()
}

// probeDesc is a stapsdt descriptor: three addresses, then provider, name
// and arguments as C strings.
func probeDesc(addr int, provider, name, args string) []byte {
	d := make([]byte, 3*addr)
	d = append(d, provider...)
	d = append(d, 0)
	d = append(d, name...)
	d = append(d, 0)
	d = append(d, args...)
	return append(d, 0)
}

func TestParse(t *testing.T) {
	var data []byte
	data = append(data, note("stapsdt", ntStapsdt, probeDesc(8, "ehtest", "tick", "-8@%rax 8@%rdx"))...)
	data = append(data, note("GNU", 3, []byte{1, 2, 3, 4})...)          // a build ID: not a probe
	data = append(data, note("stapsdt", ntStapsdt, []byte{1, 2, 3})...) // too short: skipped
	data = append(data, note("stapsdt", ntStapsdt, probeDesc(8, "libc", "setjmp", ""))...)
	want := []Probe{{"ehtest", "tick", "-8@%rax 8@%rdx"}, {"libc", "setjmp", ""}}
	if got := Parse(data, binary.LittleEndian, elf.ELFCLASS64); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
	// a 32-bit binary's addresses are 4 bytes
	data32 := note("stapsdt", ntStapsdt, probeDesc(4, "p", "n", "4@%eax"))
	if got := Parse(data32, binary.LittleEndian, elf.ELFCLASS32); !reflect.DeepEqual(got, []Probe{{"p", "n", "4@%eax"}}) {
		t.Errorf("32-bit: %+v", got)
	}
	// a note whose size runs past the section ends the walk, keeping what came before
	bad := append(note("stapsdt", ntStapsdt, probeDesc(8, "a", "b", "")), 8, 0, 0, 0, 0xff, 0xff, 0, 0, 3, 0, 0, 0)
	if got := Parse(bad, binary.LittleEndian, elf.ELFCLASS64); !reflect.DeepEqual(got, []Probe{{"a", "b", ""}}) {
		t.Errorf("truncated: %+v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(note("stapsdt", ntStapsdt, probeDesc(8, "ehtest", "tick", "-8@%rax")), true)
	f.Add(note("stapsdt", ntStapsdt, probeDesc(4, "p", "n", "")), false)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, wide bool) {
		class := elf.ELFCLASS32
		if wide {
			class = elf.ELFCLASS64
		}
		for _, p := range Parse(data, binary.LittleEndian, class) {
			if p.Provider == "" || p.Name == "" || len(p.Provider)+len(p.Name)+len(p.Args) > len(data) {
				t.Fatalf("probe %+v from %d bytes", p, len(data))
			}
		}
	})
}

// TestReadAndFind: the probes of a program built with sys/sdt.h, found by
// name alone in a running process of it, as BCC's USDT(pid=N) does.
func TestReadAndFind(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "p.c")
	if err := os.WriteFile(src, []byte("#include <sys/sdt.h>\n#include <unistd.h>\nint main(int c, char **v) { DTRACE_PROBE1(ehnote, first, c); DTRACE_PROBE2(ehnote, second, c, v); pause(); return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "p")
	if out, err := exec.Command(gcc, "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("cannot build with sys/sdt.h (systemtap-sdt-dev): %v %s", err, out)
	}
	probes, err := Read(bin)
	if err != nil || len(probes) != 2 || probes[0].Provider != "ehnote" || probes[1].Name != "second" {
		t.Fatalf("Read = %+v, %v", probes, err)
	}
	cmd := exec.Command(bin)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	got, err := Find(cmd.Process.Pid, "", "", "second")
	if err != nil || len(got) != 1 || got[0].Provider != "ehnote" {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	if a, b := stat(t, got[0].Binary), stat(t, bin); !os.SameFile(a, b) {
		t.Errorf("found in %s, not %s", got[0].Binary, bin)
	}
	if got, err := Find(cmd.Process.Pid, "", "other", "second"); err != nil || len(got) != 0 {
		t.Errorf("another provider: %+v, %v", got, err)
	}
	if _, err := Find(0, "", "", "x"); err == nil {
		t.Error("pid 0: no error")
	}
	if _, err := Read("/dev/null"); err == nil {
		t.Error("a device: no error")
	}
}

func stat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
