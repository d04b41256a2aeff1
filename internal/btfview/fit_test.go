package btfview

import (
	"encoding/binary"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestFitSample: which sample lengths are the struct sent, and which say
// the struct is not the one the program sends.
func TestFitSample(t *testing.T) {
	u32 := &btf.Int{Name: "u32", Size: 4}
	u64 := &btf.Int{Name: "u64", Size: 8}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	u32s := &btf.Int{Name: "__u32", Size: 4}
	layout := func(name string, size uint32, members ...btf.Member) *Layout {
		t.Helper()
		l, err := NewLayout(&btf.Struct{Name: name, Size: size, Members: members}, binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	// struct fixed { u64 ts; u32 pid; }: 16 bytes, no array at its end.
	fixed := layout("fixed", 16, btf.Member{Name: "ts", Type: u64}, btf.Member{Name: "pid", Type: u32, Offset: 64})
	// struct prefix { u32 pid; char name[64]; }: the name's used part may be sent.
	prefix := layout("prefix", 68, btf.Member{Name: "pid", Type: u32}, btf.Member{Name: "name", Type: &btf.Array{Type: char, Nelems: 64}, Offset: 32})
	// struct flex { u64 ts; u32 len; char tail[]; }: 16 bytes, the tail at 12.
	flex := layout("flex", 16, btf.Member{Name: "ts", Type: u64}, btf.Member{Name: "len", Type: u32, Offset: 64}, btf.Member{Name: "tail", Type: &btf.Array{Type: char, Nelems: 0}, Offset: 96})
	// struct stack { u32 depth; u32 ips[4]; }: a list ends it.
	stack := layout("stack", 20, btf.Member{Name: "depth", Type: u32}, btf.Member{Name: "ips", Type: &btf.Array{Type: u32s, Nelems: 4}, Offset: 32})
	// struct overlaid { union { char name[8]; u64 id; }; }: no tail to cut.
	overlaid := layout("overlaid", 8, btf.Member{Type: &btf.Union{Size: 8, Members: []btf.Member{
		{Name: "name", Type: &btf.Array{Type: char, Nelems: 8}}, {Name: "id", Type: u64},
	}}})

	for _, c := range []struct {
		name string
		l    *Layout
		n    int
		perf bool
		want Fit
	}{
		{"exact", fixed, 16, false, Fits},
		{"perf padding", fixed, 20, true, Fits},
		{"padding on a ring buffer", fixed, 20, false, Long},
		{"more than padding", fixed, 28, true, Long},
		{"longer", fixed, 24, false, Long},
		{"shorter", fixed, 8, false, Short},
		{"shorter through perf", fixed, 12, true, Short},
		{"used prefix", prefix, 8, false, Prefix},
		{"used prefix through perf", prefix, 12, true, Prefix},
		{"no name at all", prefix, 4, false, Prefix},
		{"cut before the name", prefix, 3, false, Short},
		{"whole", prefix, 68, false, Fits},
		{"perf padding of the whole", prefix, 68, true, Fits},
		{"longer than the whole", prefix, 76, false, Long},
		{"flexible tail", flex, 21, false, Fits},
		{"flexible tail within the padding", flex, 13, false, Prefix},
		{"long flexible tail", flex, 400, true, Fits},
		{"flexible, empty tail", flex, 12, false, Prefix},
		{"flexible, cut", flex, 8, false, Short},
		{"part of a list", stack, 12, false, Prefix},
		{"union", overlaid, 4, false, Short},
	} {
		if got := c.l.FitSample(c.n, c.perf); got != c.want {
			t.Errorf("%s: %d bytes of struct %s (%d bytes, perf %v): fit %d, want %d", c.name, c.n, c.l.Name, c.l.Size, c.perf, got, c.want)
		}
	}
}
