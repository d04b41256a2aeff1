package probe

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/bpf"
)

func TestEncodeGlobal(t *testing.T) {
	u32 := variable{Name: "u", Size: 4, Kind: 0}
	s16 := variable{Name: "s", Size: 2, Kind: 0, Signed: true}
	b := variable{Name: "b", Size: 1, Kind: 0, Bool: true}
	chars := variable{Name: "c", Size: 4, Kind: 1}
	other := variable{Name: "o", Size: 3, Kind: 2}
	le32 := func(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
	le16 := func(v uint16) []byte { return binary.NativeEndian.AppendUint16(nil, v) }
	for _, c := range []struct {
		v     variable
		value any
		want  []byte
		err   string
	}{
		{u32, uint32(7), le32(7), ""},
		{u32, 7, le32(7), ""},
		{u32, uint8(7), le32(7), ""}, // a narrower Go type is widened, never half-written
		{u32, "0x10", le32(16), ""},
		{u32, int64(1) << 32, nil, "does not fit its unsigned 32-bit integer"},
		{u32, -1, nil, "does not fit"},
		{u32, "-1", nil, "not a valid unsigned 32-bit integer"},
		{u32, 1.5, nil, "a float64 value does not fit"},
		{s16, -2, le16(0xfffe), ""},
		{s16, "-32768", le16(0x8000), ""},
		{s16, 40000, nil, "does not fit its signed 16-bit integer"},
		{s16, uint16(40000), nil, "does not fit"},
		{b, true, []byte{1}, ""},
		{b, "false", []byte{0}, ""},
		{chars, "abc", []byte("abc\x00"), ""},
		{chars, "abcd", nil, "too long"},
		{chars, [2]byte{'h', 'i'}, []byte("hi\x00\x00"), ""},
		{other, []byte{1, 2, 3}, []byte{1, 2, 3}, ""},
		{other, []byte{1, 2}, nil, "2 bytes given, it has 3"},
		{other, "abc", nil, "does not fit its 3-byte type"},
	} {
		got, err := encodeGlobal(c.v, c.value)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s = %#v: error %v, want %q", c.v.Name, c.value, err, c.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s = %#v: got %v, %v; want %v", c.v.Name, c.value, got, err, c.want)
		}
	}
}

func TestParseSEC(t *testing.T) {
	for _, c := range []struct {
		sec    string
		kind   Kind
		target string
		ok     bool
	}{
		{"tracepoint/syscalls/sys_enter_openat", Tracepoint, "syscalls:sys_enter_openat", true},
		{"tp/sched/sched_switch", Tracepoint, "sched:sched_switch", true},
		{"tracepoint", Tracepoint, "", true},
		{"raw_tp/sched_switch", RawTracepoint, "sched_switch", true},
		{"raw_tracepoint/sys_enter", RawTracepoint, "sys_enter", true},
		{"kprobe/do_sys_openat2", Kprobe, "do_sys_openat2", true},
		{"kretprobe/do_sys_openat2", Kretprobe, "do_sys_openat2", true},
		{"kprobe/do_sys_openat2+0x10", Kprobe, "", true},
		{"fentry/do_unlinkat", Fentry, "do_unlinkat", true},
		{"uprobe//usr/bin/bash:readline", Uprobe, "/usr/bin/bash:readline", true},
		{"uretprobe/libc.so.6:malloc", Uretprobe, "libc.so.6:malloc", true},
		{"xdp", XDP, "", true},
		{"tc/egress", TC, ":egress", true},
		{"cgroup_skb/ingress", "", "", false},
		{".maps", "", "", false},
	} {
		kind, target, ok := ParseSEC(c.sec)
		if kind != c.kind || target != c.target || ok != c.ok {
			t.Errorf("ParseSEC(%q) = %q, %q, %v; want %q, %q, %v", c.sec, kind, target, ok, c.kind, c.target, c.ok)
		}
	}
}

// TestInspectSeesPrintkAndContextReads: hello.bpf.c's programs print and
// read nothing through ctx, open.bpf.c's kprobe reads the registers.
func TestInspectSeesPrintkAndContextReads(t *testing.T) {
	for _, c := range []struct {
		spec        Spec
		program     string
		printk, ctx bool
	}{
		{Spec{Name: "hello.bpf.o", Object: bpf.Hello}, "hello_kprobe", true, false},
		{Spec{Name: "hello.bpf.o", Object: bpf.Hello}, "hello_openat", true, false},
		{Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf}, "open_kprobe", false, true},
		{Spec{Name: "open_perf.bpf.o", Object: bpf.OpenPerf}, "open_enter_openat", false, true},
	} {
		progs, err := Inspect(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range progs {
			if p.Name == c.program {
				found = true
				if p.CallsPrintk != c.printk || p.ReadsContext != c.ctx {
					t.Errorf("%s: printk %v, reads ctx %v; want %v, %v", p.Name, p.CallsPrintk, p.ReadsContext, c.printk, c.ctx)
				}
			}
		}
		if !found {
			t.Errorf("%s not found in %v", c.program, progs)
		}
	}
}
