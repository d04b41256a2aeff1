package bccpy

import (
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// ctypesInts are the ctypes a script wraps a map's integer keys and values
// in (ct.c_int(0)); their size is the map's, known to run.
var ctypesInts = map[string]bool{
	"c_int": true, "c_uint": true, "c_long": true, "c_ulong": true, "c_longlong": true, "c_ulonglong": true,
	"c_short": true, "c_ushort": true, "c_byte": true, "c_ubyte": true, "c_char": false, "c_bool": true,
	"c_int8": true, "c_int16": true, "c_int32": true, "c_int64": true,
	"c_uint8": true, "c_uint16": true, "c_uint32": true, "c_uint64": true, "c_size_t": true, "c_ssize_t": true,
}

// loadFunc reads b.load_func("name", BPF.KPROBE): a function of the C
// made a program of that type, attached nowhere (a tail call's target).
func (r *reader) loadFunc(n *node, line int) (string, bool) {
	name, ok := r.strArg(n, "func_name", 0)
	if !ok {
		r.note(line, "load_func with a computed name: not loaded")
		return "", false
	}
	kinds := map[string]runplan.AttachKind{
		"KPROBE": runplan.Kprobe, "TRACEPOINT": runplan.Tracepoint, "RAW_TRACEPOINT": runplan.RawTracepoint,
	}
	var kind runplan.AttachKind
	if t := r.kw(n, "prog_type", 1); t != nil && t.kind == "attr" {
		kind = kinds[t.text]
	}
	if kind == "" {
		r.note(line, "load_func(%q): only BPF.KPROBE, BPF.TRACEPOINT and BPF.RAW_TRACEPOINT programs are loaded", name)
		return "", false
	}
	for _, l := range r.s.Loads {
		if l.Program == name {
			return name, true
		}
	}
	r.s.Loads = append(r.s.Loads, runplan.Attach{Program: name, Kind: kind})
	return name, true
}

// mapWrite reads table[key] = value, written before tracing starts: run
// writes it once the object is loaded. A program's descriptor
// (ct.c_int(fn.fd) of a load_func) fills a program array's slot.
func (r *reader) mapWrite(m string, key, val *node, line int, inLoop bool) {
	if inLoop || r.started {
		r.note(line, "%s[...] = ... while tracing: not written (run writes the values a script sets before it starts)", m)
		return
	}
	k, ok := r.ctInt(key)
	if !ok {
		r.note(line, "%s[...] = ...: a key run cannot compute (an integer, or ct.c_int(N)): not written", m)
		return
	}
	w := runplan.MapWrite{Map: m, Key: k}
	if prog, kind, ok := r.programRef(val, line); ok {
		w.Program, w.Kind = prog, kind
	} else if v, ok := r.ctInt(val); ok {
		w.Value = v
	} else {
		r.note(line, "%s[%s] = ...: a value run cannot compute (an integer, ct.c_int(N) or a load_func's fd): not written", m, k)
		return
	}
	r.s.Plan.MapWrites = append(r.s.Plan.MapWrites, w)
}

// ctInt reads an integer key or value: 3, ct.c_int(3), c_uint(args.x),
// table.Key(3), table.Leaf(3).
func (r *reader) ctInt(n *node) (string, bool) {
	if n.kind == "call" && len(n.args) == 1 {
		fn := n.x.dotted()
		fn = strings.TrimPrefix(strings.TrimPrefix(fn, "ctypes."), "ct.")
		isTableType := n.x.kind == "attr" && (n.x.text == "Key" || n.x.text == "Leaf") && r.table(n.x.x) != ""
		if ctypesInts[fn] || isTableType {
			return r.ctInt(n.args[0])
		}
		return "", false
	}
	if n.kind == "num" && !strings.ContainsAny(n.text, ".eEjJ") {
		text := strings.ReplaceAll(n.text, "_", "")
		if u, err := strconv.ParseUint(text, 0, 64); err == nil {
			return strconv.FormatUint(u, 10), true
		}
	}
	if n.kind == "unary" && n.text == "-" && n.x.kind == "num" {
		if s, ok := r.ctInt(n.x); ok && !strings.HasPrefix(s, "-") {
			if i, err := strconv.ParseInt("-"+s, 10, 64); err == nil {
				return strconv.FormatInt(i, 10), true
			}
		}
		return "", false
	}
	v, ok := r.eval(n) // not a number the script computed since (a guess)
	if !ok || v.kind != vNum || v.f != float64(int64(v.f)) {
		return "", false
	}
	return strconv.FormatInt(int64(v.f), 10), true
}

// programRef reads a program given to a program array: fn, fn.fd,
// ct.c_int(fn.fd), table.Leaf(fn.fd) or b.load_func(...).fd, for fn a
// load_func's result.
func (r *reader) programRef(n *node, line int) (string, runplan.AttachKind, bool) {
	for n.kind == "call" && len(n.args) == 1 {
		fn := strings.TrimPrefix(strings.TrimPrefix(n.x.dotted(), "ctypes."), "ct.")
		if !ctypesInts[fn] && !(n.x.kind == "attr" && n.x.text == "Leaf") {
			break
		}
		n = n.args[0]
	}
	if n.kind == "attr" && n.text == "fd" {
		n = n.x
	}
	name := ""
	switch {
	case n.kind == "name" && r.loaded[n.text] != "":
		name = r.loaded[n.text]
	case n.kind == "call" && n.x.kind == "attr" && n.x.text == "load_func" && n.x.x.kind == "name" && r.bpf[n.x.x.text]:
		var ok bool
		if name, ok = r.loadFunc(n, line); !ok {
			return "", "", false
		}
	default:
		return "", "", false
	}
	for _, l := range r.s.Loads {
		if l.Program == name {
			return name, l.Kind, true
		}
	}
	return "", "", false
}
