package btfview

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// A self-contained libbpf-style program (no vmlinux.h, so the test needs
// only clang): one of each thing btfview reads.
const testProgram = `
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef _Bool bool;

enum state { IDLE = 0, RUNNING = 1, BLOCKED = 7 };

struct event {
	u64 ts;
	u32 pid;
	s32 ret;
	char comm[16];
	enum state st;
	bool ok;
	struct { u16 a; u16 b; } in;
	union { u32 x; u8 y; } un;
	void *ptr;
	u32 arr[3];
	u8 flag:3, mode:5;
};
struct event *unused_event __attribute__((unused));

struct key { u32 pid; char comm[16]; };

struct { __uint(type, 4); __uint(key_size, 4); __uint(value_size, 4); } events SEC(".maps");
struct { __uint(type, 1); __uint(max_entries, 64); __type(key, struct key); __type(value, u64); } counts SEC(".maps");
struct { __uint(type, 2); __uint(max_entries, 65); __type(key, u32); __type(value, u64); } hist SEC(".maps");

const volatile u32 targ_pid = 0;
const volatile u8 targ_small = 0;
const volatile signed char targ_signed = 0;
const volatile bool targ_failed = 0;
const volatile enum state targ_state = IDLE;
const volatile char targ_comm[16] = {};
u64 seen = 0;

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int prog(void *ctx)
{
	if (targ_pid && targ_small && targ_failed && targ_signed && targ_state && targ_comm[0])
		seen++;
	return 0;
}
`

func compileTestObject(t testing.TB) []byte {
	t.Helper()
	return compileWith(t, func(s string) string { return s })
}

// eventBytes is one struct event laid out by hand, as the C compiler does.
func eventBytes(ts uint64, pid uint32, ret int32, comm string) []byte {
	b := make([]byte, 72)
	le := binary.LittleEndian
	le.PutUint64(b[0:], ts)
	le.PutUint32(b[8:], pid)
	le.PutUint32(b[12:], uint32(ret))
	copy(b[16:32], comm)
	le.PutUint32(b[32:], 7) // st = BLOCKED
	b[36] = 1               // ok
	le.PutUint16(b[38:], 2) // in.a
	le.PutUint16(b[40:], 3) // in.b
	le.PutUint32(b[44:], 0x01020304)
	le.PutUint64(b[48:], 0xffff8880deadbeef)
	le.PutUint32(b[56:], 10)
	le.PutUint32(b[60:], 20)
	le.PutUint32(b[64:], 30)
	b[68] = 5 | 17<<3 // flag=5, mode=17
	return b
}

func TestEventFromARealObject(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	l, err := obj.Struct("event")
	if err != nil {
		t.Fatal(err)
	}
	if l.Size != 72 {
		t.Fatalf("struct event is %d bytes, want 72", l.Size)
	}
	want := "ts pid ret comm st ok in.a in.b un.x un.y ptr arr flag mode"
	if got := strings.Join(l.Names(), " "); got != want {
		t.Errorf("fields %q, want %q", got, want)
	}
	rec, err := l.Decode(eventBytes(5_000_000_000, 42, -2, "bash"))
	if err != nil {
		t.Fatal(err)
	}
	wantRec := "ts=5000000000 pid=42 ret=-2 comm=bash st=BLOCKED ok=true in.a=2 in.b=3 un.x=16909060 un.y=4 ptr=0xffff8880deadbeef arr=[10, 20, 30] flag=5 mode=17"
	if got := rec.String(); got != wantRec {
		t.Errorf("decoded\n %s\nwant\n %s", got, wantRec)
	}
}

func TestSampleLongerIsDecodedByTheTypeShorterIsAnError(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := obj.Struct("event")
	padded := append(eventBytes(1, 2, 3, "x"), 0xff, 0xff, 0xff, 0xff) // perf sample padding
	if _, err := l.Decode(padded); err != nil {
		t.Errorf("longer sample: %v", err)
	}
	if _, err := l.Decode(eventBytes(1, 2, 3, "x")[:71]); err == nil || !strings.Contains(err.Error(), "shorter than type event") {
		t.Errorf("shorter sample: err = %v", err)
	}
}

func TestMissingStructSaysHowToKeepIt(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = obj.Struct("data_t")
	if err == nil || !strings.Contains(err.Error(), "unused") {
		t.Errorf("err = %v", err)
	}
}

func TestMapsAndGlobalsOfARealObject(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	maps, err := obj.Maps()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range maps {
		k, v := "-", "-"
		if m.Key != nil {
			k = m.Key.Name
		}
		if m.Value != nil {
			v = m.Value.Name
		}
		got = append(got, m.Name+":"+itoa(int(m.Type))+":"+itoa(int(m.MaxEntries))+":"+k+"/"+itoa(m.KeySize)+":"+v+"/"+itoa(m.ValueSize))
	}
	want := "counts:1:64:key/20:u64/8 events:4:0:-/4:-/4 hist:2:65:u32/4:u64/8"
	if strings.Join(got, " ") != want {
		t.Errorf("maps %q, want %q", strings.Join(got, " "), want)
	}

	globals, err := obj.Globals()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"targ_pid": ".rodata", "targ_comm": ".rodata", "seen": ".bss", "LICENSE": "license"} {
		g, ok := globals[name]
		if want == "license" {
			if ok {
				t.Errorf("LICENSE listed as a global")
			}
			continue
		}
		if !ok || g.Section != want || g.ReadOnly != (want == ".rodata") {
			t.Errorf("global %s = %+v, want in %s", name, g, want)
		}
	}
}

func TestParseSetting(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	globals, err := obj.Globals()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		setting string
		want    []byte
		err     string
	}{
		{"targ_pid=1234", []byte{0xd2, 0x04, 0, 0}, ""},
		{"targ_pid=0x10", []byte{0x10, 0, 0, 0}, ""},
		{"targ_pid=4294967296", nil, "out of range for a u32 (0..4294967295)"},
		{"targ_pid=-1", nil, "not an integer"},
		{"targ_small=255", []byte{255}, ""},
		{"targ_small=256", nil, "out of range for a u8 (0..255)"},
		{"targ_signed=-128", []byte{0x80}, ""},
		{"targ_signed=128", nil, "out of range for a s8 (-128..127)"},
		{"targ_failed=true", []byte{1}, ""},
		{"targ_failed=maybe", nil, "not a bool"},
		{"targ_state=RUNNING", []byte{1, 0, 0, 0}, ""},
		{"targ_state=LOST", nil, "not one of IDLE, RUNNING, BLOCKED"},
		{"targ_comm=bash", append([]byte("bash"), make([]byte, 12)...), ""},
		{"targ_comm=0123456789abcdef", nil, "holds at most 15"},
		{"nope=1", nil, "no global variable nope"},
		{"targ_pid", nil, "want NAME=VALUE"},
	} {
		_, b, err := ParseSetting(globals, tc.setting)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.setting, err, tc.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(b, tc.want) {
			t.Errorf("%s = %v, %v; want %v", tc.setting, b, err, tc.want)
		}
	}
}

func TestEventTable(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := obj.Struct("event")
	var out bytes.Buffer
	p := NewEventPrinter(&out, l, false)
	for _, e := range [][]byte{eventBytes(7_000_000_000, 42, 3, "bash"), eventBytes(8_500_000_001, 4242, -13, "evil\n\x1b[2Jname")} {
		if err := p.Print(e); err != nil {
			t.Fatal(err)
		}
	}
	want := "" +
		"TIME(s)            pid     ret     comm             st      ok    in.a  in.b  un.x    un.y ptr                arr              flag mode\n" +
		"0.000000000        42      3       bash             BLOCKED true  2     3     16909060 4    0xffff8880deadbeef [10, 20, 30]     5    17\n" +
		"1.500000001        4242    -13     evil\\n\\x1b[2Jname BLOCKED true  2     3     16909060 4    0xffff8880deadbeef [10, 20, 30]     5    17\n"
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestEventJSONIsValidAndLossless(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := obj.Struct("event")
	var out bytes.Buffer
	p := NewEventPrinter(&out, l, true)
	odd := "a\"b\\c\n\x1b\xff\xc2\x9b"
	if err := p.Print(eventBytes(1, 2, -3, odd)); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	back, err := textsafe.Unescape(got["comm"].(string))
	if err != nil || back != odd {
		t.Errorf("comm came back as %q (%v), want %q", back, err, odd)
	}
	if got["ret"].(float64) != -3 || got["st"] != "BLOCKED" || got["ptr"] != "0xffff8880deadbeef" || got["in.b"].(float64) != 3 {
		t.Errorf("JSON fields: %s", out.String())
	}
}

func TestItemsSortedByValueZeroSlotsSkipped(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	counts, _ := obj.Map("counts")
	key := func(pid uint32, comm string) []byte {
		b := make([]byte, 20)
		binary.LittleEndian.PutUint32(b, pid)
		copy(b[4:], comm)
		return b
	}
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	items, err := Items(counts, []Entry{{key(1, "systemd"), u64(30)}, {key(99, "bash"), u64(2)}, {key(7, "cat"), u64(11)}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := PrintItems(&out, counts, items, false); err != nil {
		t.Fatal(err)
	}
	want := "pid comm    VALUE\n99  bash    2\n7   cat     11\n1   systemd 30\n"
	if out.String() != want {
		t.Errorf("items:\n%s\nwant:\n%s", out.String(), want)
	}

	hist, _ := obj.Map("hist")
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	items, err = Items(hist, []Entry{{u32(0), u64(0)}, {u32(1), u64(5)}, {u32(2), u64(0)}, {u32(3), u64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := PrintItems(&out, hist, items, true); err != nil {
		t.Fatal(err)
	}
	want = "{\"map\":\"hist\",\"key\":3,\"value\":1}\n{\"map\":\"hist\",\"key\":1,\"value\":5}\n"
	if out.String() != want {
		t.Errorf("JSON items:\n%s\nwant:\n%s", out.String(), want)
	}
}

// BCC's strlen_hist.py example output, in print_log2_hist's layout.
func TestLog2HistLikeBCC(t *testing.T) {
	slots := []uint64{0, 2106, 1172, 3892, 5096, 2201, 547, 106, 13, 27, 6, 10}
	var out bytes.Buffer
	if err := PrintLog2Hist(&out, slots, "strlen return:"); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"     strlen return:      : count     distribution\n" +
		"         0 -> 1          : 2106     |****************                        |\n" +
		"         2 -> 3          : 1172     |*********                               |\n" +
		"         4 -> 7          : 3892     |******************************          |\n" +
		"         8 -> 15         : 5096     |****************************************|\n" +
		"        16 -> 31         : 2201     |*****************                       |\n" +
		"        32 -> 63         : 547      |****                                    |\n" +
		"        64 -> 127        : 106      |                                        |\n" +
		"       128 -> 255        : 13       |                                        |\n" +
		"       256 -> 511        : 27       |                                        |\n" +
		"       512 -> 1023       : 6        |                                        |\n" +
		"      1024 -> 2047       : 10       |                                        |\n"
	if out.String() != want {
		t.Errorf("log2 hist:\n%s\nwant:\n%s", out.String(), want)
	}

	// Values past 2^32: BCC's wide layout with a 20-star bar.
	wide := make([]uint64, 40)
	wide[1], wide[34] = 1, 2
	out.Reset()
	PrintLog2Hist(&out, wide, "ns")
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "               ns                            : count     distribution" ||
		lines[34] != "          8589934592 -> 17179869183          : 2        |********************|" {
		t.Errorf("wide log2 hist:\n%s", out.String())
	}

	out.Reset()
	PrintLog2Hist(&out, []uint64{9}, "none")
	if out.Len() != 0 {
		t.Errorf("only slot 0 (not shown by BCC) printed %q", out.String())
	}
}

func TestLinearHistLikeBCC(t *testing.T) {
	var out bytes.Buffer
	if err := PrintLinearHist(&out, []uint64{0, 3, 0, 6}, "kbytes"); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"     kbytes        : count     distribution\n" +
		"        0          : 0        |                                        |\n" +
		"        1          : 3        |********************                    |\n" +
		"        2          : 0        |                                        |\n" +
		"        3          : 6        |****************************************|\n"
	if out.String() != want {
		t.Errorf("linear hist:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestHistSectionsFromMaps(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	hist, _ := obj.Map("hist")
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	sections, err := HistSections(hist, []Entry{{u32(3), u64(4)}, {u32(1), u64(2)}}, Log2Slots)
	if err != nil {
		t.Fatal(err)
	}
	if len(sections) != 1 || sections[0].Bucket != "" || len(sections[0].Slots) != 4 || sections[0].Slots[3] != 4 || sections[0].Slots[1] != 2 {
		t.Errorf("sections %+v", sections)
	}
	if _, err := HistSections(hist, []Entry{{u32(65), u64(1)}}, Log2Slots); err == nil {
		t.Error("slot 65 accepted in a log2 histogram")
	}

	// Keyed by a struct: first field names the section, last is the slot.
	counts, _ := obj.Map("counts")
	key := func(pid uint32, comm string) []byte {
		b := make([]byte, 20)
		binary.LittleEndian.PutUint32(b, pid)
		copy(b[4:], comm)
		return b
	}
	_, err = HistSections(counts, []Entry{{key(1, "x"), u64(1)}}, Log2Slots)
	if err == nil || !strings.Contains(err.Error(), "integer slot") {
		t.Errorf("text slot: err = %v", err)
	}
}

// Types built in Go: the decoder without clang.
func goEventLayout(t testing.TB) *Layout {
	u8 := &btf.Int{Name: "u8", Size: 1}
	u32 := &btf.Int{Name: "u32", Size: 4}
	s64 := &btf.Int{Name: "s64", Size: 8, Encoding: btf.Signed}
	u64 := &btf.Int{Name: "u64", Size: 8}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Signed | btf.Char}
	inner := &btf.Union{Size: 8, Members: []btf.Member{{Name: "v", Type: s64}, {Name: "raw", Type: &btf.Array{Type: u8, Index: u32, Nelems: 8}}}}
	ev := &btf.Struct{Name: "ev", Size: 48, Members: []btf.Member{
		{Name: "start_ns", Type: u64, Offset: 0},
		{Name: "comm", Type: &btf.Array{Type: char, Index: u32, Nelems: 16}, Offset: 64},
		{Name: "", Type: inner, Offset: 192},
		{Name: "bits", Type: u32, Offset: 256, BitfieldSize: 4},
		{Name: "more", Type: u32, Offset: 260, BitfieldSize: 28},
		{Name: "e", Type: &btf.Enum{Name: "e", Size: 4, Signed: true, Values: []btf.EnumValue{{Name: "NEG", Value: ^uint64(0)}}}, Offset: 288},
		{Name: "p", Type: &btf.Pointer{Target: &btf.Void{}}, Offset: 320},
	}}
	l, err := NewLayout(ev, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDecodeGoBuiltTypes(t *testing.T) {
	l := goEventLayout(t)
	b := make([]byte, 48)
	binary.LittleEndian.PutUint64(b, 123)
	copy(b[8:], "ok")
	binary.LittleEndian.PutUint64(b[24:], uint64(0xfffffffffffffffe)) // v = -2
	binary.LittleEndian.PutUint32(b[32:], 0xabcdef1<<4|9)
	binary.LittleEndian.PutUint32(b[36:], 0xffffffff)
	rec, err := l.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := "start_ns=123 comm=ok v=-2 raw=[254, 255, 255, 255, 255, 255, 255, 255] bits=9 more=180150001 e=NEG p=0x0"
	if rec.String() != want {
		t.Errorf("got  %s\nwant %s", rec, want)
	}
	if TimeField(l) != 0 {
		t.Errorf("start_ns is not the time field")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, 48))
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\x1b[2J\n\xc2\x9b\xe2\x80\xae\xf0\x9f\x98\x80\\abcdefghijklmnopqrstuvwxyz0123456789"))
	f.Add([]byte("short"))
	l := goEventLayout(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := l.Decode(b)
		if err != nil {
			if len(b) >= l.Size {
				t.Fatalf("%d bytes refused: %v", len(b), err)
			}
			return
		}
		printsSafely(t, l, rec)
		line := rec.AppendJSON(nil)
		var v map[string]any
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatalf("invalid JSON %s: %v", line, err)
		}
		back, err := textsafe.Unescape(v["comm"].(string))
		if err != nil || back != rec[1].Value.Text {
			t.Fatalf("comm %q came back as %q (%v)", rec[1].Value.Text, back, err)
		}
	})
}

// printsSafely prints rec as a table row and fails if a control byte would
// reach the terminal.
func printsSafely(t *testing.T, l *Layout, rec Record) {
	t.Helper()
	var out bytes.Buffer
	if err := NewEventPrinter(&out, l, false).PrintRecord(rec); err != nil {
		t.Fatal(err)
	}
	for _, c := range out.Bytes() {
		if (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("control byte %#x reached the terminal: %q", c, out.String())
		}
	}
}

func FuzzLoad(f *testing.F) {
	if clang, err := exec.LookPath("clang"); err == nil && clang != "" {
		f.Add(compileTestObject(f))
	}
	f.Add([]byte("\x7fELF not really"))
	f.Fuzz(func(t *testing.T, b []byte) {
		obj, err := Load(b)
		if err != nil {
			return
		}
		obj.Maps()
		obj.Globals()
		// Samples come from the kernel, bounded by the buffer: decode
		// reasonable sizes only (a mutated array length asks for gigabytes).
		if l, err := obj.Struct("event"); err == nil && l.Size < 1<<16 {
			l.Decode(make([]byte, l.Size))
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

func BenchmarkLoad(b *testing.B) {
	obj := compileTestObject(b)
	for i := 0; i < b.N; i++ {
		o, err := Load(obj)
		if err != nil {
			b.Fatal(err)
		}
		o.Maps()
		o.Globals()
	}
}

func TestEventType(t *testing.T) {
	obj, err := Load(compileTestObject(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ mapName, typeName, want string }{
		{"events", "", "event"},  // the unused_event marker
		{"events", "key", "key"}, // named
		{"events", "struct event", "event"},
	} {
		l, err := obj.EventType(tc.mapName, tc.typeName)
		if err != nil || l.Name != tc.want {
			t.Errorf("EventType(%q, %q) = %v, %v; want %s", tc.mapName, tc.typeName, l, err, tc.want)
		}
	}
	if _, err := obj.EventType("events", "nope"); err == nil {
		t.Error("unknown type name accepted")
	}
}

func TestSumPerCPU(t *testing.T) {
	l := goEventLayout(t) // 48 bytes: a stride of 48
	raw := make([]byte, 48*3)
	for cpu := 0; cpu < 3; cpu++ {
		binary.LittleEndian.PutUint64(raw[cpu*48:], uint64(10*(cpu+1)))
		copy(raw[cpu*48+8:], "cpu")
	}
	sum, err := SumPerCPU(l, raw, 3)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := l.Decode(sum)
	if rec[0].Value.Uint != 60 || rec[1].Value.Text != "cpu" {
		t.Errorf("sum = %s", rec)
	}
	if _, err := SumPerCPU(l, raw, 4); err == nil {
		t.Error("short per-CPU value accepted")
	}
	if first, err := SumPerCPU(nil, raw, 3); err != nil || !bytes.Equal(first, raw[:48]) {
		t.Errorf("without a layout: %v, %v", first, err)
	}
}

// The project's own open tracer, as built by make: its event struct is
// found by its marker and printed with TIME(s) from ts_ns.
func TestProjectOpenObject(t *testing.T) {
	raw, err := os.ReadFile("../../bpf/open_perf.bpf.o")
	if err != nil {
		t.Skipf("%v: make builds it", err)
	}
	obj, err := Load(raw)
	if err != nil {
		t.Fatal(err)
	}
	l, err := obj.EventType("events", "")
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "open_event" || TimeField(l) != 0 {
		t.Fatalf("event type %s, time field %d", l.Name, TimeField(l))
	}
	sample := make([]byte, l.Size+4) // perf pads samples
	binary.LittleEndian.PutUint64(sample, 1_000_000_000)
	binary.LittleEndian.PutUint32(sample[8:], 77)
	binary.LittleEndian.PutUint32(sample[16:], 77)
	binary.LittleEndian.PutUint32(sample[28:], uint32(0xfffffffe))
	copy(sample[40:], "cat")
	copy(sample[56:], "/etc/passwd")
	var out bytes.Buffer
	if err := NewEventPrinter(&out, l, false).Print(sample); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"TIME(s)            pid     tid     host_pid host_tid uid     ret     name_err flags   comm             fname\n" +
		"0.000000000        77      0       77       0        0       -2      0        0       cat              /etc/passwd\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	drops, err := obj.Map("drops")
	if err != nil || !drops.PerCPU() || !drops.IsArray() || drops.Value == nil || drops.Value.Size != 8 {
		t.Errorf("drops map: %+v, %v", drops, err)
	}
}

func ExampleEventPrinter() {
	u32 := &btf.Int{Name: "u32", Size: 4}
	event := &btf.Struct{Name: "event", Size: 32, Members: []btf.Member{
		{Name: "ts", Type: &btf.Int{Name: "u64", Size: 8}},
		{Name: "pid", Type: u32, Offset: 64},
		{Name: "comm", Type: &btf.Array{Type: &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}, Index: u32, Nelems: 16}, Offset: 96},
	}}
	l, _ := NewLayout(event, binary.LittleEndian)
	p := NewEventPrinter(os.Stdout, l, false)
	for i, comm := range []string{"bash", "cat"} {
		sample := make([]byte, 32)
		binary.LittleEndian.PutUint64(sample, uint64(1e9+i*2500000))
		binary.LittleEndian.PutUint32(sample[8:], uint32(100+i))
		copy(sample[12:], comm)
		p.Print(sample)
	}
	// Output:
	// TIME(s)            pid     comm
	// 0.000000000        100     bash
	// 0.002500000        101     cat
}

// BenchmarkEventPrinterTable: the cost of one event row, which bounds how
// many events per second run can show (make bench measures it end to end).
func BenchmarkEventPrinterTable(b *testing.B) {
	obj, err := Load(compileTestObject(b))
	if err != nil {
		b.Fatal(err)
	}
	l, err := obj.EventType("events", "")
	if err != nil {
		b.Fatal(err)
	}
	sample := make([]byte, l.Size)
	copy(sample[16:], "bench-comm")
	var out bytes.Buffer
	p := NewEventPrinter(&out, l, false)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		binary.LittleEndian.PutUint64(sample, uint64(i)*1000)
		if err := p.Print(sample); err != nil {
			b.Fatal(err)
		}
		if out.Len() > 1<<20 {
			out.Reset()
		}
	}
}

// TestSumPerCPUArraysAndText: a per-CPU struct value's integer arrays (a
// histogram's slots) are summed element by element, and its text is the
// first CPU's that has any (CPU 0 may never have run the program).
func TestSumPerCPUArraysAndText(t *testing.T) {
	u64 := &btf.Int{Name: "u64", Size: 8}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	hist := &btf.Struct{Name: "hist", Size: 48, Members: []btf.Member{
		{Name: "slots", Type: &btf.Array{Type: u64, Nelems: 4}, Offset: 0},
		{Name: "comm", Type: &btf.Array{Type: char, Nelems: 16}, Offset: 32 * 8},
	}}
	l, err := NewLayout(hist, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 48*3)
	for cpu := 1; cpu < 3; cpu++ { // CPU 0 never ran it
		for i := 0; i < 4; i++ {
			binary.LittleEndian.PutUint64(raw[cpu*48+i*8:], uint64(cpu*(i+1)))
		}
		copy(raw[cpu*48+32:], fmt.Sprintf("cpu%d", cpu))
	}
	sum, err := SumPerCPU(l, raw, 3)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := l.Decode(sum)
	if got := rec.String(); got != "slots=[3, 6, 9, 12] comm=cpu1" {
		t.Errorf("sum = %s", got)
	}
}

func TestGlobalHist(t *testing.T) {
	u32 := &btf.Int{Name: "u32", Size: 4}
	hist := &btf.Struct{Name: "hist", Size: 12, Members: []btf.Member{{Name: "slots", Type: &btf.Array{Type: u32, Nelems: 3}}}}
	l, err := NewLayout(hist, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 12)
	binary.LittleEndian.PutUint32(data[4:], 7)
	if slots, ok := GlobalHist(l, data); !ok || fmt.Sprint(slots) != "[0 0 7 0]" {
		t.Errorf("GlobalHist = %v, %v", slots, ok)
	}
	other := &btf.Struct{Name: "stats", Size: 12, Members: hist.Members}
	if l2, _ := NewLayout(other, binary.LittleEndian); l2 != nil {
		if _, ok := GlobalHist(l2, data); ok {
			t.Error("a struct not named like a histogram taken for one")
		}
	}
}
