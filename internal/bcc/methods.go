package bcc

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// inMapDecl tells whether token i is part of a map macro's declaration.
// The declarations are in source order and do not overlap.
func (t *translator) inMapDecl(i int) bool {
	k := sort.Search(len(t.mapDecls), func(k int) bool { return t.mapDecls[k][2] >= i })
	return k < len(t.mapDecls) && t.mapDecls[k][0] <= i
}

// methods rewrites the map macros into definitions and every
// map.method(args) call into the helper call BCC would have made.
func (t *translator) methods() {
	type call struct {
		m               *bccMap
		method          string
		at, open, close int
	}
	var calls []call
	for i := 0; i+3 < len(t.toks); i++ {
		m := t.maps[t.tok(i)]
		if m == nil || t.tok(i+1) != "." || !t.isIdent(i+2) || t.tok(i+3) != "(" || t.inMapDecl(i) ||
			t.tok(i-1) == "." || t.tok(i-1) == "->" {
			continue
		}
		close := t.match(i + 3)
		if close < 0 {
			continue
		}
		c := call{m, t.tok(i + 2), i, i + 3, close}
		m.methods[c.method] = true
		calls = append(calls, c)
	}
	for k, d := range t.mapDecls {
		m := t.mapOrder[k]
		t.replace(d[0], d[2], m.definition()+";")
		if h := m.helpers(); h != "" {
			t.insertGenerated(d[2], h)
		}
	}
	for _, c := range calls {
		m := c.m
		head := func(text string) { t.replace(c.at, c.open, text) }
		args := t.args(c.open, c.close)
		firstComma := -1
		if len(args) > 1 {
			firstComma = args[0][1] + 1
		}
		switch c.method {
		case "lookup":
			head("bpf_map_lookup_elem(&" + m.Internal + ", ")
		case "update", "insert":
			flag := "BPF_ANY"
			if c.method == "insert" {
				flag = "BPF_NOEXIST"
			}
			head("bpf_map_update_elem(&" + m.Internal + ", ")
			t.replace(c.close, c.close, ", "+flag+")")
		case "delete":
			head("bpf_map_delete_elem(&" + m.Internal + ", ")
		case "increment", "atomic_increment":
			head(m.Internal + "__increment(")
			if len(args) == 1 {
				t.replace(c.close, c.close, ", 1)")
			}
		case "lookup_or_try_init":
			head(m.Internal + "__lookup_or_try_init(")
		case "lookup_or_init":
			// the older form: where even the new entry cannot be found,
			// BCC returns 0 from the calling function
			head("({ __auto_type ____leaf = " + m.Internal + "__lookup_or_try_init(")
			t.replace(c.close, c.close, "); if (!____leaf) return 0; ____leaf; })")
		case "perf_submit":
			head("bpf_perf_event_output(")
			if firstComma > 0 {
				t.replace(firstComma, firstComma, ", &"+m.Internal+", BPF_F_CURRENT_CPU,")
			}
			if len(args) >= 2 {
				t.eventType(m, args[1], args)
			}
		case "ringbuf_output":
			head("bpf_ringbuf_output(&" + m.Internal + ", ")
			if len(args) >= 1 {
				t.eventType(m, args[0], args)
			}
		case "ringbuf_reserve":
			head("bpf_ringbuf_reserve(&" + m.Internal + ", ")
			t.replace(c.close, c.close, ", 0)")
			t.reserveType(m, c.at, args)
		case "ringbuf_submit":
			head("bpf_ringbuf_submit(")
		case "ringbuf_discard":
			head("bpf_ringbuf_discard(")
		case "get_stackid":
			head("bpf_get_stackid(")
			if firstComma > 0 {
				t.replace(firstComma, firstComma, ", &"+m.Internal+",")
			}
		case "call":
			t.tailCaller(m.Internal, c.at)
			head("bpf_tail_call(")
			if firstComma > 0 {
				t.replace(firstComma, firstComma, ", &"+m.Internal+",")
			}
		case "perf_read":
			head("bpf_perf_event_read(&" + m.Internal + ", ")
		case "push", "pop", "peek":
			head("bpf_map_" + c.method + "_elem(&" + m.Internal + ", ")
			if c.method == "push" && len(args) == 1 {
				t.replace(c.close, c.close, ", BPF_ANY)")
			}
		default:
			t.notes = append(t.notes, fmt.Sprintf("%s:%d: %s.%s() is not a map method ebpf-hello knows; left as written", t.name, t.toks[c.at].line, m.Name, c.method))
		}
	}
}

// eventType finds the struct a program sends through a perf or ring
// buffer (from &var's declaration or sizeof(struct T)) so run can print it.
func (t *translator) eventType(m *bccMap, data [2]int, all [][2]int) {
	typ := ""
	if t.tok(data[0]) == "&" && data[1] == data[0]+1 && t.isIdent(data[1]) {
		typ = t.declType(t.tok(data[1]), data[0], false)
	} else if data[0] == data[1] && t.isIdent(data[0]) {
		typ = t.declType(t.tok(data[0]), data[0], true)
	}
	if typ == "" {
		for _, a := range all {
			if s := t.sizeofType(a); s != "" {
				typ = s
			}
		}
	}
	t.setEventType(m, typ, data[0])
}

func (t *translator) reserveType(m *bccMap, at int, args [][2]int) {
	typ := ""
	// struct T *e = events.ringbuf_reserve(...)
	if t.tok(at-1) == "=" && t.isIdent(at-2) {
		typ = t.declType(t.tok(at-2), at-1, true)
	}
	if typ == "" && len(args) == 1 {
		typ = t.sizeofType(args[0])
	}
	t.setEventType(m, typ, at)
}

func (t *translator) setEventType(m *bccMap, typ string, at int) {
	if typ == "" {
		t.notes = append(t.notes, fmt.Sprintf("%s:%d: cannot tell which struct goes through %s; run guesses it from the object", t.name, t.toks[at].line, m.Name))
		return
	}
	if o, ok := strings.CutPrefix(typ, anonStruct); ok {
		typ = t.nameStruct(o, m.Name)
	}
	if m.EventType != "" && m.EventType != typ {
		t.notes = append(t.notes, fmt.Sprintf("%s sends both %s and %s; rows are printed as %s", m.Name, m.EventType, typ, m.EventType))
		return
	}
	m.EventType = typ
}

// anonStruct marks, in declAt's answer, an anonymous struct by the index
// of its "{": BCC's trace_perf_output sends "struct { u64 ts; ... } data".
const anonStruct = "anonymous struct at "

// nameStruct gives the anonymous struct whose "{" is token o a name, once
// (run finds an event's type in BTF by its name): "struct <map>_event".
func (t *translator) nameStruct(o, mapName string) string {
	i, _ := strconv.Atoi(o)
	if name := t.anonNames[i]; name != "" {
		return "struct " + name
	}
	name := mapName + "_event"
	for t.uses[name] {
		name += "_"
	}
	t.uses[name] = true
	if t.anonNames == nil {
		t.anonNames = map[int]string{}
	}
	t.anonNames[i] = name
	t.insertBefore(i, name+" ")
	return "struct " + name
}

// localStruct says whether typ is an anonymous struct named by nameStruct:
// declared inside a function, it cannot be named at file scope (run reads
// it from the object's DWARF).
func (t *translator) localStruct(typ string) bool {
	for _, name := range t.anonNames {
		if typ == "struct "+name {
			return true
		}
	}
	return false
}

// sizeofType reads "sizeof(struct T)" or "sizeof(T)" in an argument.
func (t *translator) sizeofType(a [2]int) string {
	if t.tok(a[0]) != "sizeof" || t.tok(a[0]+1) != "(" || t.match(a[0]+1) != a[1] {
		return ""
	}
	if t.tok(a[0]+2) == "struct" && t.isIdent(a[0]+3) && a[0]+4 == a[1] {
		return "struct " + t.tok(a[0]+3)
	}
	return ""
}

// declType finds the type of variable name declared before token at:
// "struct T name" (pointer false) or "struct T *name" (pointer true).
// It returns "struct T" or a typedef name, or "".
func (t *translator) declType(name string, at int, pointer bool) string {
	if t.decls == nil {
		t.indexDecls()
	}
	k := 0
	if pointer {
		k = 1
	}
	ds := t.decls[name][k]
	n := sort.Search(len(ds), func(n int) bool { return ds[n].at >= at })
	if n == 0 {
		return ""
	}
	return ds[n-1].typ
}

// decl is a token that declares a variable, and the variable's type.
type decl struct {
	at  int
	typ string
}

// indexDecls finds, once, every token that reads as a declaration (of a
// plain variable, [0], or of a pointer, [1]): declType takes the last one
// before its call instead of searching back through the file each time.
func (t *translator) indexDecls() {
	t.decls = map[string][2][]decl{}
	for i := 2; i < len(t.toks); i++ {
		if !t.isIdent(i) {
			continue
		}
		switch t.tok(i + 1) {
		case "=", ";", ",", "[":
		default:
			continue
		}
		for k, pointer := range []bool{false, true} {
			if typ := t.declAt(i, pointer); typ != "" {
				ds := t.decls[t.tok(i)]
				ds[k] = append(ds[k], decl{i, typ})
				t.decls[t.tok(i)] = ds
			}
		}
	}
}

// declAt reads the type declared before the variable at token i, or "".
func (t *translator) declAt(i int, pointer bool) string {
	j := i - 1
	if pointer {
		if t.tok(j) != "*" {
			return ""
		}
		j--
	} else if t.tok(j) == "*" {
		return ""
	}
	if t.tok(j) == "}" { // struct { ... } data: an anonymous struct
		if o := t.pair[j]; o > 0 && t.tok(o-1) == "struct" {
			return anonStruct + strconv.Itoa(o)
		}
		return ""
	}
	if !t.isIdent(j) {
		return ""
	}
	if t.tok(j-1) == "struct" {
		return "struct " + t.tok(j)
	}
	switch t.tok(j) {
	case "return", "sizeof", "else":
		return ""
	}
	return t.tok(j)
}

// printk rewrites BCC's bpf_trace_printk(fmt, args...), which computes the
// format's size itself, into libbpf's bpf_printk(fmt, args...), which does
// the same; the kernel helper underneath is bpf_trace_printk either way.
func (t *translator) printk() {
	for i := range t.toks {
		if t.tok(i) == "bpf_trace_printk" && t.tok(i+1) == "(" && t.tok(i-1) != "." && t.tok(i-1) != "->" {
			t.replace(i, i, "bpf_printk")
			t.usesPrintk = true
		}
	}
}

// typeName strips "struct " for the Plan (BTF names carry no tag keyword).
func typeName(c string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "struct "))
}

// tailCaller notes that the function holding token i tail-calls through
// program array m.
func (t *translator) tailCaller(m string, i int) {
	for _, f := range t.funcs {
		if f.bodyOpen < i && i < f.bodyClose {
			for _, c := range t.tailCallers[m] {
				if c == f.name {
					return
				}
			}
			t.tailCallers[m] = append(t.tailCallers[m], f.name)
			return
		}
	}
}
