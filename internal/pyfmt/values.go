package pyfmt

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// EventValues gives a Printer the fields of a decoded event as the values
// a Python callback sees: numbers as numbers, char arrays as text (escaped
// for the terminal; Python would print b'...'), anything else as shown.
func EventValues(rec btfview.Record) func(field string) any {
	return func(field string) any {
		for _, f := range rec {
			if f.Name == field {
				return value(f.Value)
			}
		}
		return nil
	}
}

func value(v btfview.Value) any {
	switch v.Kind {
	case btfview.KindInt:
		return v.Int
	case btfview.KindUint, btfview.KindPointer:
		return v.Uint
	case btfview.KindBool:
		return v.Uint != 0
	case btfview.KindFloat:
		return v.Float
	case btfview.KindBytes:
		return byteValue{b: []byte(v.Text), text: v.String()}
	case btfview.KindList:
		if b, ok := listBytes(v.List); ok {
			return byteValue{b: b, text: v.String()}
		}
	}
	return v.String()
}

// byteValue is an array of integers or an __int128: printed as run shows
// it, and its bytes in memory for a conversion (inet_ntop(AF_INET6, x)).
type byteValue struct {
	b    []byte
	text string
}

func (v byteValue) String() string { return v.text }

// listBytes gives the bytes of a list of unsigned integers each of which
// fits a byte (a __u8 array); false for anything else.
func listBytes(list []btfview.Value) ([]byte, bool) {
	b := make([]byte, 0, len(list))
	for _, e := range list {
		if e.Kind != btfview.KindUint || e.Uint > 0xff {
			return nil, false
		}
		b = append(b, byte(e.Uint))
	}
	return b, len(b) > 0
}

// convert applies a script's conversion (runplan.Convert*) to a value.
func convert(how string, v any) (any, error) {
	switch how {
	case runplan.ConvertIPv4:
		n, ok := v.(uint64)
		if !ok {
			if i, isInt := v.(int64); isInt {
				n, ok = uint64(i), true
			}
		}
		if !ok {
			return nil, fmt.Errorf("inet_ntop(AF_INET) needs a 32-bit integer")
		}
		var b [4]byte
		binary.NativeEndian.PutUint32(b[:], uint32(n)) // pack("I", n)
		return netip.AddrFrom4(b).String(), nil
	case runplan.ConvertIPv6:
		bv, ok := v.(byteValue)
		if !ok || len(bv.b) != 16 {
			return nil, fmt.Errorf("inet_ntop(AF_INET6) needs 16 bytes")
		}
		return netip.AddrFrom16([16]byte(bv.b)).String(), nil
	case runplan.ConvertNtohs, runplan.ConvertNtohl:
		n, ok := v.(uint64)
		if !ok {
			if i, isInt := v.(int64); isInt {
				n, ok = uint64(i), true
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s needs an integer", how)
		}
		if how == runplan.ConvertNtohs {
			var b [2]byte
			binary.NativeEndian.PutUint16(b[:], uint16(n))
			return uint64(binary.BigEndian.Uint16(b[:])), nil
		}
		var b [4]byte
		binary.NativeEndian.PutUint32(b[:], uint32(n))
		return uint64(binary.BigEndian.Uint32(b[:])), nil
	}
	return nil, fmt.Errorf("unknown conversion %q", how)
}

// TraceValues gives a Printer the values BCC's trace_fields() returns for
// a trace_pipe line: task, pid, cpu, flags, ts (seconds, a float) and msg.
func TraceValues(l tracepipe.Line) func(field string) any {
	return func(field string) any {
		switch field {
		case "task":
			return textsafe.Escape(l.Task)
		case "pid":
			return int64(l.PID)
		case "cpu":
			return int64(l.CPU)
		case "flags":
			return l.Flags
		case "ts":
			ts, _ := strconv.ParseFloat(l.Timestamp, 64)
			return ts
		case "msg":
			return textsafe.Escape(l.Message)
		}
		return nil
	}
}

// ItemValues gives a Printer one map item as an items() loop sees it:
// key and value (scalars, ctypes' .value), key.F and value.F (struct fields).
func ItemValues(key, val btfview.Value) func(field string) any {
	return func(field string) any {
		side, name, _ := strings.Cut(field, ".")
		v := key
		switch side {
		case "key":
		case "value":
			v = val
		default:
			return nil
		}
		if name == "" {
			return value(v)
		}
		for _, f := range v.Fields {
			if f.Name == name {
				return value(f.Value)
			}
		}
		return nil
	}
}
