package symbolize

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestKernelNames(t *testing.T) {
	k, err := LoadKernel(strings.NewReader("" +
		"ffffffff81000000 T _stext\n" +
		"ffffffff81001000 t do_one\n" +
		"ffffffff81002000 D some_data\n" +
		"ffffffff81003000 T do_two [mod]\n" +
		"garbage\n"))
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[uint64]string{
		0xffffffff81001010: "do_one",
		0xffffffff81002010: "do_one", // data is not a function: the code before it
		0xffffffff81003001: "do_two",
		0xffffffff80000000: Unknown,
	} {
		if got := k.Name(addr); got != want {
			t.Errorf("%#x: %q, want %q", addr, got, want)
		}
	}
	// Addresses hidden from this user (kptr_restrict): all zero.
	k, _ = LoadKernel(strings.NewReader("0000000000000000 T _stext\n0000000000000000 T do_one\n"))
	if got := k.Name(0xffffffff81001010); got != Unknown {
		t.Errorf("hidden addresses: %q", got)
	}
}

func TestParseMaps(t *testing.T) {
	got := parseMaps(strings.NewReader("" +
		"55d4a000-55d4b000 r--p 00000000 08:01 123 /usr/bin/cat\n" +
		"55d4b000-55d4f000 r-xp 00001000 08:01 123 /usr/bin/cat\n" +
		"7f00-7f10 r-xp 00000000 00:00 0 [vdso]\n" +
		"7f10-7f20 r-xp 00002000 08:01 9 /tmp/a b/lib.so\n"))
	want := []mapping{{0x55d4b000, 0x55d4f000, 0x1000, "/usr/bin/cat"}, {0x7f10, 0x7f20, 0x2000, "/tmp/a b/lib.so"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestUserNamesAFunction: an address in a running program of ours (a PIE
// built by gcc, so its mapping's offset and load address both count) is
// named from its ELF symbols through /proc/PID/maps.
func TestUserNamesAFunction(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc (make setup installs it)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "where.c")
	prog := "#include <stdio.h>\n" +
		"__attribute__((noinline)) void where_am_i(void) { printf(\"%p\\n\", (void *)where_am_i); fflush(stdout); }\n" +
		"int main(void) { where_am_i(); getchar(); return 0; }\n"
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "where")
	if out, err := exec.Command(gcc, "-O1", "-fPIE", "-pie", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v %s", err, out)
	}
	cmd := exec.Command(bin)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	var addr uint64
	if _, err := fmt.Fscanf(stdout, "0x%x\n", &addr); err != nil {
		t.Fatal(err)
	}
	u := NewUser()
	if got := u.Name(cmd.Process.Pid, addr+2); got != "where_am_i" {
		t.Errorf("%#x: %q, want where_am_i", addr, got)
	}
	if got := u.Name(cmd.Process.Pid, 8); got != Unknown {
		t.Errorf("an address in no mapping: %q", got)
	}
	if got := NewUser().Name(1<<30, addr); got != Unknown { // no such process
		t.Errorf("no process: %q", got)
	}
}

func FuzzLoadKernel(f *testing.F) {
	f.Add("ffffffff81000000 T _stext\nffffffff81001000 t do_one [m]\n")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := LoadKernel(strings.NewReader(s))
		if err != nil {
			return
		}
		_ = k.Name(0xffffffff81000010)
	})
}

func FuzzParseMaps(f *testing.F) {
	f.Add("55d4b000-55d4f000 r-xp 00001000 08:01 123 /usr/bin/cat\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range parseMaps(strings.NewReader(s)) {
			if m.end <= m.start || !strings.HasPrefix(m.path, "/") {
				t.Errorf("bad mapping %+v", m)
			}
		}
	})
}
