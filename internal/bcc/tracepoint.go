package bcc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// tpField is one field line of a tracepoint's format file.
type tpField struct {
	decl   string // "const char * filename", "char comm[16]", "__data_loc char[] name"
	name   string
	offset int
	size   int
	signed bool
}

// readFormat reads tracefs/events/cat/ev/format; cat and ev must be
// names (they come from the program: no "..", no "/").
func readFormat(tracefs, cat, ev string) ([]tpField, error) {
	if err := runplan.ValidTracepoint(cat, ev); err != nil {
		return nil, err
	}
	path := filepath.Join(tracefs, "events", cat, ev, "format")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errors.New(runplan.MissingTracepoint(tracefs, cat, ev))
		}
		return nil, fmt.Errorf("tracepoint %s:%s: %w", cat, ev, err)
	}
	return parseFormat(string(data))
}

// parseFormat reads the "field:TYPE NAME; offset:N; size:N; signed:N;"
// lines of a format file.
func parseFormat(text string) ([]tpField, error) {
	var out []tpField
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "field:") {
			continue
		}
		var f tpField
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimSpace(part)
			key, val, ok := strings.Cut(part, ":")
			if !ok {
				continue
			}
			switch key {
			case "field":
				f.decl = strings.TrimSpace(val)
			case "offset":
				f.offset, _ = strconv.Atoi(val)
			case "size":
				f.size, _ = strconv.Atoi(val)
			case "signed":
				f.signed = val == "1"
			}
		}
		f.name = fieldName(f.decl)
		if f.name == "" || f.size <= 0 {
			return nil, fmt.Errorf("tracepoint format: cannot read field line %q", line)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tracepoint format has no fields")
	}
	return out, nil
}

// fieldName is the declared name: the last identifier before any "[".
func fieldName(decl string) string {
	d := decl
	if i := strings.Index(d, "["); i >= 0 && !strings.HasPrefix(d, "__data_loc") {
		d = d[:i]
	} else if strings.HasPrefix(d, "__data_loc") {
		d = strings.TrimSpace(d[strings.LastIndex(d, "]")+1:])
	}
	d = strings.TrimSpace(d)
	j := len(d)
	for j > 0 && isIdentChar(d[j-1]) {
		j--
	}
	return d[j:]
}

var intTypes = map[string]int{
	"char": 1, "signed char": 1, "unsigned char": 1, "u8": 1, "s8": 1, "__u8": 1, "__s8": 1, "bool": 1, "_Bool": 1,
	"short": 2, "unsigned short": 2, "u16": 2, "s16": 2, "__u16": 2, "__s16": 2,
	"int": 4, "unsigned int": 4, "unsigned": 4, "u32": 4, "s32": 4, "__u32": 4, "__s32": 4, "pid_t": 4,
	"long": 8, "unsigned long": 8, "long long": 8, "unsigned long long": 8, "u64": 8, "s64": 8, "__u64": 8, "__s64": 8,
	"size_t": 8, "loff_t": 8,
}

// tracepointStruct is the C struct of a tracepoint's record, as BCC
// generates it for TRACEPOINT_PROBE: each field at its offset (explicit
// padding), integers of the recorded size (syscall arguments are 8 bytes
// even when declared int), __data_loc fields as the int BCC uses.
func tracepointStruct(name string, fields []tpField) string {
	var b strings.Builder
	fmt.Fprintf(&b, "struct %s {\n", name)
	at := 0
	for k, f := range fields {
		if f.offset < at {
			continue // overlapping field: keep the first
		}
		if f.offset > at {
			fmt.Fprintf(&b, "\tchar __pad_%d[%d];\n", k, f.offset-at)
		}
		fmt.Fprintf(&b, "\t%s;\n", fieldDecl(f))
		at = f.offset + f.size
	}
	b.WriteString("}")
	return b.String()
}

func fieldDecl(f tpField) string {
	d := f.decl
	intOf := func() string {
		if f.signed {
			return fmt.Sprintf("s%d %s", f.size*8, f.name)
		}
		return fmt.Sprintf("u%d %s", f.size*8, f.name)
	}
	switch {
	case strings.HasPrefix(d, "__data_loc"):
		return fmt.Sprintf("int data_loc_%s", f.name) // offset<<16 | length, as in BCC
	case strings.Contains(d, "["):
		open := strings.Index(d, "[")
		elem := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(d[:open]), f.name))
		dim := strings.TrimSuffix(d[open+1:], "]")
		if _, err := strconv.Atoi(dim); err == nil && !strings.Contains(elem, "*") {
			if es, ok := intTypes[strings.TrimPrefix(elem, "const ")]; ok && es > 0 {
				n, _ := strconv.Atoi(dim)
				if n*es == f.size {
					return fmt.Sprintf("%s %s[%s]", elem, f.name, dim)
				}
			}
		}
		// a symbolic or unexpected dimension: size it from the record
		if es, ok := intTypes[strings.TrimPrefix(elem, "const ")]; ok && f.size%es == 0 {
			return fmt.Sprintf("%s %s[%d]", elem, f.name, f.size/es)
		}
		if strings.Contains(elem, "*") && f.size%8 == 0 {
			return fmt.Sprintf("%s %s[%d]", elem, f.name, f.size/8)
		}
		return fmt.Sprintf("u8 %s[%d]", f.name, f.size)
	case strings.Contains(d, "*"):
		if f.size != 8 && f.size != 4 {
			return intOf()
		}
		return d
	default:
		typ := strings.TrimSpace(strings.TrimSuffix(d, f.name))
		if sz, ok := intTypes[strings.TrimPrefix(typ, "const ")]; ok && sz == f.size {
			return d
		}
		if f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8 {
			return intOf()
		}
		return fmt.Sprintf("u8 %s[%d]", f.name, f.size)
	}
}

// pointerFields are the names of fields holding pointers to pointers
// (argv-like): element reads need bpf_probe_read_user.
func pointerArrays(fields []tpField) map[string]bool {
	out := map[string]bool{}
	for _, f := range fields {
		if strings.Count(f.decl, "*") >= 2 && !strings.Contains(f.decl, "[") {
			out[f.name] = true
		}
	}
	return out
}
