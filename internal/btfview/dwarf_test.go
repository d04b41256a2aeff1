package btfview

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// compileWith compiles testProgram changed by edit.
func compileWith(t testing.TB, edit func(string) string) []byte {
	t.Helper()
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("clang not installed: the BTF of a real object cannot be made")
	}
	out := filepath.Join(t.TempDir(), "test.bpf.o")
	cmd := exec.Command(clang, "-target", "bpf", "-O2", "-g", "-x", "c", "-c", "-", "-o", out)
	cmd.Stdin = strings.NewReader(edit(testProgram))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A struct used only as a local variable (libbpf-tools' `struct event e =
// {}` or `struct event *e = bpf_ringbuf_reserve(...)`) is not in BTF; it is
// read from DWARF and laid out exactly as the same struct kept in BTF by a
// marker: every field, offset, kind, size and enum.
func TestStructOnlyInDWARFLaysOutAsInBTF(t *testing.T) {
	inBTF, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	want, err := inBTF.Struct("event")
	if err != nil {
		t.Fatal(err)
	}
	obj := compileWith(t, func(s string) string {
		s = strings.Replace(s, "struct event *unused_event __attribute__((unused));", "", 1)
		return strings.Replace(s, "seen++;", "{ struct event e = {}; e.pid = targ_pid; seen += e.pid + e.comm[1]; }", 1)
	})
	o, err := Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.spec.AnyTypesByName("event"); err == nil {
		t.Fatal("struct event is in this object's BTF: the test checks nothing")
	}
	got, err := o.Struct("event")
	if err != nil {
		t.Fatalf("struct event only in DWARF: %v", err)
	}
	if got.Size != want.Size || len(got.Fields) != len(want.Fields) {
		t.Fatalf("size %d, %d fields; want %d, %d", got.Size, len(got.Fields), want.Size, len(want.Fields))
	}
	for i, w := range want.Fields {
		g := got.Fields[i]
		if g.Name != w.Name || g.Offset != w.Offset || g.BitOff != w.BitOff || g.BitSize != w.BitSize ||
			g.Kind != w.Kind || g.Size != w.Size || g.Len != w.Len || !reflect.DeepEqual(g.Enum, w.Enum) {
			t.Errorf("field %d: %+v\nwant %+v", i, g, w)
		}
	}
	// The events decode the same.
	sample := eventBytes(1, 2, -3, "comm")
	a, errA := want.Decode(sample)
	b, errB := got.Decode(sample)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("decoded differently: %v %v\n%v\n%v", errA, errB, a, b)
	}
}

// FuzzDWARF: any bytes as an object give a struct or an error, never a panic.
func FuzzDWARF(f *testing.F) {
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if typ, err := dwarfStruct(b, "event"); err == nil {
			_, _ = NewLayout(typ, nil)
		}
	})
}

// A variable-length event's trailing char array holds argv's strings one
// after the other: shown as words, as execsnoop's loader does.
func TestJoinTailStrings(t *testing.T) {
	u32 := &btf.Int{Name: "u32", Size: 4}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Signed | btf.Char}
	st := &btf.Struct{Name: "event", Size: 4 + 64, Members: []btf.Member{
		{Name: "args_size", Type: u32, Offset: 0},
		{Name: "args", Type: &btf.Array{Index: u32, Type: char, Nelems: 64}, Offset: 32},
	}}
	l, err := NewLayout(st, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	sample := append([]byte{18, 0, 0, 0}, "/bin/cat\x00-n\x00/etc/x\x00"...)
	l.JoinTailStrings(sample)
	if got := string(sample[4:]); got != "/bin/cat -n /etc/x\x00" {
		t.Errorf("joined %q", got)
	}
}
