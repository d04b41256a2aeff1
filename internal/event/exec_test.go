package event

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// execSample encodes raw as exec.bpf.c sends it: the fixed part, then the
// args_size bytes of arguments only.
func execSample(raw rawExec) []byte {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&raw)), unsafe.Sizeof(raw))
	return append([]byte(nil), b[:ExecMinSize+int(raw.ArgsSize)]...)
}

func withArgs(file string, args ...string) rawExec {
	r := rawExec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000}
	copy(r.Comm[:], "true")
	copy(r.File[:], file)
	for _, a := range args {
		copy(r.Args[r.ArgsSize:], a)
		r.ArgsSize += uint32(len(a)) + 1
		r.ArgsCount++
	}
	return r
}

func TestDecodeExec(t *testing.T) {
	cut := withArgs("/bin/true", "true", "long")
	cut.CutArgs = 1 << 1
	cut.Flags = execArgsMore | execFileCut
	failed := withArgs("missing", "missing")
	failed.Ret = -2
	unreadable := withArgs("/bin/sh", "sh")
	unreadable.Flags = execArgsUnreadable
	tests := []struct {
		name   string
		sample []byte
		want   Exec
	}{
		{"every field and argument", execSample(withArgs("/bin/true", "true", "a b", "")),
			Exec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000, Comm: "true", File: "/bin/true", Args: []string{"true", "a b", ""}, ArgCut: []bool{false, false, false}}},
		{"no arguments (argv NULL)", execSample(withArgs("/bin/true")),
			Exec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000, Comm: "true", File: "/bin/true"}},
		{"cut marks are kept", execSample(cut),
			Exec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000, Comm: "true", File: "/bin/true", FileCut: true, ArgsMore: true, Args: []string{"true", "long"}, ArgCut: []bool{false, true}}},
		{"a failed exec keeps its errno", execSample(failed),
			Exec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000, Comm: "true", File: "missing", Ret: -2, Args: []string{"missing"}, ArgCut: []bool{false}}},
		{"unreadable arguments are flagged", execSample(unreadable),
			Exec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000, Comm: "true", File: "/bin/sh", ArgsUnreadable: true, Args: []string{"sh"}, ArgCut: []bool{false}}},
		{"a count larger than the bytes stops at the bytes", func() []byte { r := withArgs("/x", "a"); r.ArgsCount = 9; return execSample(r) }(),
			Exec{TsNs: 42, PID: 100, TID: 101, PPID: 1, UID: 1000, Comm: "true", File: "/x", Args: []string{"a"}, ArgCut: []bool{false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Exec
			if err := DecodeExec(tt.sample, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if ExecTime(tt.sample) != 42 {
				t.Errorf("ExecTime = %d, want 42", ExecTime(tt.sample))
			}
		})
	}
}

func TestDecodeExecRejectsShortSample(t *testing.T) {
	var e Exec
	if err := DecodeExec(make([]byte, ExecMinSize-1), &e); !errors.Is(err, ErrShortExec) {
		t.Fatalf("got %v, want ErrShortExec", err)
	}
}

// FuzzDecodeExec: any bytes decode without panicking or are refused as
// short; arguments never hold a NUL, never exceed their limits.
func FuzzDecodeExec(f *testing.F) {
	f.Add(execSample(withArgs("/bin/true", "true", "x")))
	f.Add(execSample(withArgs("/bin/true"))[:ExecMinSize-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Exec
		err := DecodeExec(b, &e)
		if len(b) < ExecMinSize {
			if !errors.Is(err, ErrShortExec) {
				t.Fatalf("%d bytes: got %v", len(b), err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Args) > ExecMaxArgs || len(e.Args) != len(e.ArgCut) {
			t.Fatalf("%d args, %d cut marks", len(e.Args), len(e.ArgCut))
		}
		total := 0
		for _, a := range e.Args {
			total += len(a) + 1
			if strings.ContainsRune(a, 0) {
				t.Fatalf("argument %q holds a NUL", a)
			}
		}
		if total > ExecArgsSize+1 || strings.ContainsRune(e.Comm+e.File, 0) {
			t.Fatalf("args %q comm %q file %q", e.Args, e.Comm, e.File)
		}
	})
}
