package btfview

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"
)

// field builders for the test structs
var (
	rU8    = &btf.Int{Name: "__u8", Size: 1}
	rU16   = &btf.Int{Name: "__u16", Size: 2}
	rU32   = &btf.Int{Name: "__u32", Size: 4}
	rInt   = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	rU128  = &btf.Int{Name: "unsigned __int128", Size: 16}
	rChar  = &btf.Int{Name: "char", Size: 1, Encoding: btf.Signed | btf.Char}
	rBe16  = &btf.Typedef{Name: "__be16", Type: rU16}
	rBe32  = &btf.Typedef{Name: "__be32", Type: rU32}
	rComm  = &btf.Array{Type: rChar, Nelems: 16}
	rAddr6 = &btf.Array{Type: rU8, Nelems: 16}
)

func member(name string, t btf.Type, off int) btf.Member {
	return btf.Member{Name: name, Type: t, Offset: btf.Bits(off * 8)}
}

func readableLayout(t *testing.T, size int, ports []string, members ...btf.Member) (*Layout, ReadableNotes) {
	t.Helper()
	l, err := NewLayout(&btf.Struct{Name: "event", Size: uint32(size), Members: members}, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	return l, l.MakeReadable(ports)
}

// row is the record's text form and JSON, for comparing.
func row(t *testing.T, l *Layout, b []byte) (string, string) {
	t.Helper()
	rec, err := l.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return rec.String(), string(rec.AppendJSON(nil))
}

func TestReadableSocketEvent(t *testing.T) {
	// libbpf-tools' tcpconnect shape: unions of v4/v6 addresses, a family,
	// ports (dport from skc_dport: network order), a comm.
	v4 := &btf.Union{Size: 16, Members: []btf.Member{member("saddr_v4", rU32, 0), member("saddr_v6", rAddr6, 0)}}
	v4d := &btf.Union{Size: 16, Members: []btf.Member{member("daddr_v4", rU32, 0), member("daddr_v6", rAddr6, 0)}}
	l, notes := readableLayout(t, 56, []string{"dport"},
		member("", v4, 0), member("", v4d, 16), member("task", rComm, 32),
		member("af", rU32, 48), member("sport", rU16, 52), member("dport", rU16, 54))
	if got := strings.Join(l.Names(), " "); got != "saddr daddr task af sport dport" {
		t.Fatalf("fields %q: the v4/v6 unions should be one address each", got)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "dport") {
		t.Errorf("notes %q: want one saying dport is in network order", notes)
	}
	b := make([]byte, 56)
	copy(b[0:], []byte{127, 0, 0, 1})
	copy(b[16:], []byte{10, 1, 2, 3})
	copy(b[32:], "curl")
	binary.LittleEndian.PutUint32(b[48:], 2) // AF_INET
	binary.LittleEndian.PutUint16(b[52:], 40000)
	binary.BigEndian.PutUint16(b[54:], 8080)
	text, js := row(t, l, b)
	if want := "saddr=127.0.0.1 daddr=10.1.2.3 task=curl af=2 sport=40000 dport=8080"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	if want := `{"saddr":"127.0.0.1","daddr":"10.1.2.3","task":"curl","af":2,"sport":40000,"dport":8080}`; js != want {
		t.Errorf("json %s, want %s", js, want)
	}
	// The same event for IPv6.
	binary.LittleEndian.PutUint32(b[48:], 10)
	copy(b[0:], []byte{0: 0, 15: 1})
	copy(b[16:], []byte{0: 0xfe, 1: 0x80, 15: 2})
	text, _ = row(t, l, b)
	if !strings.HasPrefix(text, "saddr=::1 daddr=fe80::2 ") {
		t.Errorf("IPv6: %q", text)
	}
}

func TestReadableAddressesByType(t *testing.T) {
	// tcplife's shape: __int128 addresses and a family; a __be16 port
	// (network order by type, whatever the source says); a __be32 address.
	l, notes := readableLayout(t, 48, nil,
		member("saddr", rU128, 0), member("daddr", rU128, 16),
		member("family", rU16, 32), member("lport", rBe16, 34), member("dport", rU16, 36),
		member("raddr", rBe32, 40), member("state", rInt, 44))
	if len(notes) != 0 {
		t.Errorf("notes %q: a __be16 needs none", notes)
	}
	b := make([]byte, 48)
	copy(b[0:], []byte{192, 168, 0, 1})
	copy(b[16:], []byte{8, 8, 8, 8})
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.BigEndian.PutUint16(b[34:], 443)
	binary.LittleEndian.PutUint16(b[36:], 22) // host order: no hint
	copy(b[40:], []byte{1, 2, 3, 4})
	binary.LittleEndian.PutUint32(b[44:], 2)
	text, js := row(t, l, b)
	if want := "saddr=192.168.0.1 daddr=8.8.8.8 family=2 lport=443 dport=22 raddr=1.2.3.4 state=TCP_SYN_SENT"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	if !strings.Contains(js, `"state":2,"state_name":"TCP_SYN_SENT"`) {
		t.Errorf("json %s: want the state's number and name", js)
	}
	// Without a family a 16-byte address is IPv6.
	l, _ = readableLayout(t, 16, nil, member("daddr", rAddr6, 0))
	text, _ = row(t, l, append([]byte{0x20, 0x01, 0x0d, 0xb8}, make([]byte, 12)...))
	if text != "daddr=2001:db8::" {
		t.Errorf("IPv6 without a family: %q", text)
	}
}

func TestReadableNamedNumbers(t *testing.T) {
	l, _ := readableLayout(t, 40, nil,
		member("pid", rU32, 0), member("ret", rInt, 4), member("sig", rInt, 8),
		member("syscall_id", rU32, 12), member("flags", rInt, 16), member("fname", rComm, 20), member("count", rU32, 36))
	b := make([]byte, 40)
	binary.LittleEndian.PutUint32(b[0:], 42)
	binary.LittleEndian.PutUint32(b[4:], uint32(0xfffffffe)) // -2
	binary.LittleEndian.PutUint32(b[8:], uint32(unix.SIGUSR1))
	binary.LittleEndian.PutUint32(b[12:], uint32(unix.SYS_OPENAT))
	binary.LittleEndian.PutUint32(b[16:], uint32(unix.O_RDONLY|unix.O_CLOEXEC))
	copy(b[20:], "/etc/passwd")
	binary.LittleEndian.PutUint32(b[36:], 7)
	text, js := row(t, l, b)
	if want := "pid=42 ret=-2 (ENOENT) sig=10 (SIGUSR1) syscall_id=openat flags=O_RDONLY|O_CLOEXEC fname=/etc/passwd count=7"; text != want {
		t.Errorf("text %q\nwant %q", text, want)
	}
	for _, part := range []string{`"ret":-2,"ret_name":"ENOENT"`, `"sig":10,"sig_name":"SIGUSR1"`, `"flags_name":"O_RDONLY|O_CLOEXEC"`, `"count":7}`, `"pid":42,"ret"`} {
		if !strings.Contains(js, part) {
			t.Errorf("json %s lacks %s", js, part)
		}
	}
	// A non-negative ret (a file descriptor) is a plain number.
	binary.LittleEndian.PutUint32(b[4:], 3)
	if text, _ = row(t, l, b); !strings.Contains(text, "ret=3 sig") {
		t.Errorf("ret 3: %q", text)
	}
}

func TestNotReadableWithoutReason(t *testing.T) {
	// A 4-byte "addr" outside a socket struct, "flags" with no file name
	// and "state" with no socket field stay numbers, and so does a u16
	// port the source gives no hint about; so does everything of a layout
	// MakeReadable was not asked for.
	l, _ := readableLayout(t, 16, nil,
		member("addr", rU32, 0), member("flags", rU32, 4), member("state", rInt, 8), member("len", rU16, 12))
	b := []byte{1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0x1f, 0x90, 0, 0}
	if text, _ := row(t, l, b); text != "addr=1 flags=2 state=2 len=36895" {
		t.Errorf("got %q", text)
	}
	// A length about an address is a number; a name the struct already has
	// is not written twice in JSON.
	l, _ = readableLayout(t, 12, nil, member("addrlen", rU32, 0), member("dport", rU16, 4), member("ret", rInt, 6), member("ret_name", rU16, 10))
	if text, js := row(t, l, []byte{16, 0, 0, 0, 0, 80, 0xfe, 0xff, 0xff, 0xff, 7, 0}); text != "addrlen=16 dport=20480 ret=-2 (ENOENT) ret_name=7" || strings.Count(js, `"ret_name"`) != 1 {
		t.Errorf("got %q, %s", text, js)
	}
	l, _ = readableLayout(t, 4, []string{"sport"}, member("dport", rU16, 0), member("sport", rU16, 2))
	if text, _ := row(t, l, []byte{0x1f, 0x90, 0x1f, 0x90}); text != "dport=36895 sport=8080" {
		t.Errorf("ports: %q", text)
	}
	plain, err := NewLayout(&btf.Struct{Size: 8, Members: []btf.Member{member("saddr", rU32, 0), member("ret", rInt, 4)}}, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := row(t, plain, []byte{127, 0, 0, 1, 0xfe, 0xff, 0xff, 0xff}); text != "saddr=16777343 ret=-2" {
		t.Errorf("without MakeReadable: %q", text)
	}
}

// FuzzReadable: any bytes of a socket-and-file event decode, print
// without control bytes, and make valid JSON, with every meaning in play.
func FuzzReadable(f *testing.F) {
	f.Add(make([]byte, 80))
	f.Add([]byte(strings.Repeat("\xff", 80)))
	f.Add([]byte("\x02\x00\x00\x00" + strings.Repeat("\x0a", 76)))
	u := &btf.Union{Size: 16, Members: []btf.Member{member("saddr_v4", rU32, 0), member("saddr_v6", rAddr6, 0)}}
	l, err := NewLayout(&btf.Struct{Name: "event", Size: 80, Members: []btf.Member{
		member("af", rU32, 0), member("", u, 4), member("daddr", rU128, 20), member("dport", rBe16, 36),
		member("sport", rU16, 38), member("ret", rInt, 40), member("sig", rInt, 44), member("nr", rU32, 48),
		member("flags", rInt, 52), member("fname", rComm, 56), member("state", rInt, 72), member("raddr", rBe32, 76),
	}}, binary.LittleEndian)
	if err != nil {
		f.Fatal(err)
	}
	l.MakeReadable([]string{"sport"})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := l.Decode(b)
		if err != nil {
			if len(b) >= l.Size {
				t.Fatalf("%d bytes refused: %v", len(b), err)
			}
			return
		}
		printsSafely(t, l, rec)
		var v map[string]any
		if line := rec.AppendJSON(nil); json.Unmarshal(line, &v) != nil {
			t.Fatalf("invalid JSON %s", line)
		}
	})
}
