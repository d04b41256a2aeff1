package pyfmt

import (
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
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
	}
	return v.String()
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
