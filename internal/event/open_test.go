package event

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// sample encodes raw the way the kernel does: the struct's bytes, then padding.
func sample(raw rawOpen, padding int) []byte {
	b := make([]byte, RawSize+padding)
	copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&raw)), RawSize))
	return b
}

func withStrings(comm, fname string) rawOpen {
	r := rawOpen{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Ret: 3, Flags: flagHasRet}
	copy(r.Comm[:], comm)
	copy(r.Fname[:], fname)
	return r
}

func TestDecode(t *testing.T) {
	full := withStrings("0123456789abcdef", "/etc/passwd") // comm fills all 16 bytes, no NUL
	junk := withStrings("cat", "/tmp/a")
	copy(junk.Fname[7:], "stale bytes after the NUL")
	failed := withStrings("ls", "missing")
	failed.Ret = -2
	entryOnly := withStrings("sh", "rel/path")
	entryOnly.Flags = 0
	unreadable := withStrings("sh", "")
	unreadable.NameErr = -14
	cut := withStrings("sh", "/long/name")
	cut.Flags |= flagNameCut

	tests := []struct {
		name   string
		sample []byte
		want   Open
	}{
		{"an exact sample decodes every field", sample(withStrings("cat", "/etc/hosts"), 0),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "cat", File: "/etc/hosts", HasRet: true, Ret: 3}},
		{"perf padding after the event is ignored", sample(withStrings("cat", "/etc/hosts"), 7),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "cat", File: "/etc/hosts", HasRet: true, Ret: 3}},
		{"a comm without NUL keeps all 16 bytes", sample(full, 0),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "0123456789abcdef", File: "/etc/passwd", HasRet: true, Ret: 3}},
		{"bytes after the first NUL are cut", sample(junk, 0),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "cat", File: "/tmp/a", HasRet: true, Ret: 3}},
		{"a failed open keeps its negative errno", sample(failed, 0),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "ls", File: "missing", HasRet: true, Ret: -2}},
		{"an entry-only event has no return value", sample(entryOnly, 0),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "sh", File: "rel/path", Ret: 3}},
		{"a sample cut after the name's NUL decodes (perf sends no more)", sample(withStrings("cat", "/etc/hosts"), 0)[:MinSize+len("/etc/hosts")+1],
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "cat", File: "/etc/hosts", HasRet: true, Ret: 3}},
		{"a cut name is marked", sample(cut, 0),
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "sh", File: "/long/name", NameCut: true, HasRet: true, Ret: 3}},
		{"a name read error is kept", sample(unreadable, 0)[:MinSize],
			Open{TsNs: 123456789, PID: 100, TID: 101, UID: 1000, Comm: "sh", NameErr: -14, HasRet: true, Ret: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Open
			if err := Decode(tt.sample, &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeRejectsShortSample(t *testing.T) {
	var o Open
	err := Decode(make([]byte, MinSize-1), &o)
	if !errors.Is(err, ErrShortSample) {
		t.Fatalf("got %v, want ErrShortSample", err)
	}
}

func TestFileOrErrorNeverEmpty(t *testing.T) {
	tests := []struct {
		name string
		open Open
		want string
	}{
		{"a name is shown as is", Open{File: "a/b"}, "a/b"},
		{"a read error is named", Open{NameErr: -14}, "<read error EFAULT>"},
		{"an unknown error keeps its number", Open{NameErr: -4000}, "<read error -4000>"},
		{"an empty name is marked", Open{}, "<empty>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.open.FileOrError(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	s := sample(withStrings("cat", "/etc/hosts"), 4)
	var o Open
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Decode(s, &o)
	}
}

// FuzzDecode: any bytes from a buffer decode without panicking, or are
// refused as short; strings never hold a NUL or more than their array.
func FuzzDecode(f *testing.F) {
	f.Add(sample(withStrings("cat", "/etc/hosts"), 0))
	f.Add(sample(withStrings("0123456789abcdef", "x"), 7)[:MinSize+2])
	f.Add(make([]byte, MinSize-1))
	f.Fuzz(func(t *testing.T, b []byte) {
		var o Open
		err := Decode(b, &o)
		if len(b) < MinSize {
			if !errors.Is(err, ErrShortSample) {
				t.Fatalf("%d bytes: got %v, want ErrShortSample", len(b), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%d bytes: %v", len(b), err)
		}
		if len(o.Comm) > TaskCommLen || len(o.File) > FnameLen || strings.ContainsRune(o.Comm+o.File, 0) {
			t.Fatalf("decoded comm %q file %q", o.Comm, o.File)
		}
		if o.FileOrError() == "" {
			t.Fatal("FileOrError is empty")
		}
	})
}
