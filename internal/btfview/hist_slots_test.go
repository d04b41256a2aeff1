package btfview

import (
	"encoding/binary"
	"strings"
	"testing"
)

// libbpf-tools' histograms keep each key's slots in its value, `struct
// hist { __u32 slots[N]; char comm[16]; }` (runqlat -P, biolatency -D);
// before, "a histogram needs integer counts" and nothing was printed. Each
// key is one histogram, titled by the key and comm, printed as BCC prints
// the same counts (their slot 0, values 0 and 1, is BCC's slot 1).
func TestHistogramsOfSlotArrays(t *testing.T) {
	obj, err := Load(compileWith(t, func(s string) string {
		return strings.Replace(s, "char LICENSE[]", `struct hist { u32 slots[26]; char comm[16]; };
struct { __uint(type, 1); __uint(max_entries, 64); __type(key, u32); __type(value, struct hist); } hists SEC(".maps");
char LICENSE[]`, 1)
	}))
	if err != nil {
		t.Fatal(err)
	}
	hists, err := obj.Map("hists")
	if err != nil {
		t.Fatal(err)
	}
	value := func(comm string, slots map[int]uint32) []byte {
		b := make([]byte, 26*4+16)
		for i, n := range slots {
			binary.LittleEndian.PutUint32(b[4*i:], n)
		}
		copy(b[26*4:], comm)
		return b
	}
	key := func(pid uint32) []byte { return binary.LittleEndian.AppendUint32(nil, pid) }
	entries := []Entry{
		{key(42), value("cat", map[int]uint32{0: 3, 3: 5})},
		{key(7), value("sh", map[int]uint32{1: 1})},
		{key(9), value("idle", nil)}, // nothing counted: not shown
	}
	sections, err := HistSections(hists, entries, Log2Slots)
	if err != nil {
		t.Fatal(err)
	}
	if len(sections) != 2 || sections[0].Bucket != "7 sh" || sections[1].Bucket != "42 cat" || sections[0].Header != "key" {
		t.Fatalf("sections %+v", sections)
	}
	var got, want strings.Builder
	if err := PrintHist(&got, sections[1:], "usecs", "bucket", true); err != nil {
		t.Fatal(err)
	}
	want.WriteString("\nkey = 42 cat\n")
	if err := PrintLog2Hist(&want, []uint64{0, 3, 0, 0, 5}, "usecs"); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("printed\n%s\nwant\n%s", got.String(), want.String())
	}
	if !strings.Contains(got.String(), "0 -> 1") || !strings.Contains(got.String(), "8 -> 15") {
		t.Errorf("slot ranges are not libbpf-tools' (0 -> 1 holds slot 0):\n%s", got.String())
	}
	// One key alone (libbpf-tools' "all" key) is one untitled histogram.
	one, err := HistSections(hists, entries[:1], Log2Slots)
	if err != nil || len(one) != 1 || one[0].Bucket != "" {
		t.Errorf("one key: %+v, %v", one, err)
	}
}
