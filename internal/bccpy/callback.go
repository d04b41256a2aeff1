package bccpy

import (
	"fmt"
	"strings"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/pyfmt"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// env is what names mean inside a print: the event variable of a perf
// callback, its local variables, the globals holding a first value
// (`if start == 0: start = event.ts`), or trace_fields()'s names.
type env struct {
	key, val string // an items() loop's key and value names
	event    string
	resolved map[string]runplan.PrintArg
	locals   map[string]*node
	firsts   map[string]bool
	fields   map[string]string
	depth    int
}

// callback reads a perf/ring buffer callback and returns the print it
// makes for each event.
func (r *reader) callback(def *stmt, m string) (*runplan.Print, error) {
	e := &env{locals: map[string]*node{}, firsts: map[string]bool{}}
	globals := map[string]bool{}
	// row holds the prints that make one row: print(..., end="") goes on
	// with the next print, as BCC's tools print optional columns
	var row []*node
	rowDone := false
	var walk func(stmts []*stmt, cond bool) error
	walk = func(stmts []*stmt, cond bool) error {
		for k := 0; k < len(stmts); k++ {
			st := stmts[k]
			if err := r.spend(st.line, st.size+stmtCost); err != nil {
				return err
			}
			t0 := st.toks[0]
			if t0.kind == tName {
				switch t0.text {
				case "global":
					for _, t := range st.toks[1:] {
						if t.kind == tName {
							globals[t.text] = true
						}
					}
					continue
				case "if":
					// an if on the script's options (if args.timestamp:)
					// is decided; one on the event's values is not
					end := k + 1
					for end < len(stmts) && (stmts[end].toks[0].text == "elif" || stmts[end].toks[0].text == "else") {
						end++
					}
					chain := stmts[k:end]
					k = end - 1
					if !e.mentioned(chain) {
						if taken, decided := r.decide(chain); decided {
							if taken >= 0 {
								if err := walk(chain[taken].body, cond); err != nil {
									return err
								}
							}
							continue
						}
					}
					for _, b := range chain {
						if err := walk(b.body, true); err != nil {
							return err
						}
					}
					continue
				case "try", "with": // the normal path
					if err := walk(st.body, cond); err != nil {
						return err
					}
					continue
				case "elif", "else", "except", "finally", "for", "while":
					if err := walk(st.body, true); err != nil {
						return err
					}
					continue
				case "return", "pass":
					continue
				}
			}
			if k := topLevel(st.toks, "="); k > 0 {
				lhs := st.toks[:k]
				v, err := r.parse(st.toks[k+1:])
				if err != nil || len(lhs) != 1 || lhs[0].kind != tName {
					continue
				}
				name := lhs[0].text
				switch {
				case v.kind == "call" && v.x.kind == "attr" && v.x.text == "event" && r.table(v.x.x) == m:
					e.event = name
				case v.kind == "attr" && v.text == "contents": // ct.cast(data, ct.POINTER(T)).contents
					e.event = name
				case globals[name]:
					e.firsts[name] = true
				case cond:
					// set on some events only (if event.ret >= 0: fd = ...
					// else: fd = -1): its value is the event's to decide
					e.locals[name] = &node{kind: "other", text: "perEvent", line: st.line}
				default:
					e.locals[name] = v
				}
				continue
			}
			n, err := r.parse(st.toks)
			if err != nil || n.kind != "call" || n.x.kind != "name" || (n.x.text != "print" && n.x.text != "printb") {
				continue
			}
			if rowDone {
				if cond {
					r.note(st.line, "only the callback's first print is used for rows")
				}
				continue
			}
			if len(row) > 0 && cond {
				// print(..., end="") then a print chosen by the event: the
				// row's end differs from event to event
				return fmt.Errorf("the row's last part depends on the event (line %d)", st.line)
			}
			row = append(row, n)
			rowDone = !r.printContinues(n)
		}
		return nil
	}
	if err := walk(def.body, false); err != nil {
		return nil, err
	}
	if e.event == "" {
		return nil, fmt.Errorf("no `event = b[%q].event(data)` in the callback", m)
	}
	if len(row) == 0 {
		return nil, fmt.Errorf("the callback prints nothing")
	}
	return r.rowSpec(row, e.fieldsOf())
}

// printContinues: print(..., end="...") (printb(..., nl="...")) with an
// end that does not end the line.
func (r *reader) printContinues(n *node) bool {
	end, ok := r.printEnd(n)
	return ok && !strings.Contains(end, "\n")
}

// printEnd is a print's end= (printb's nl=) when it is a literal.
func (r *reader) printEnd(n *node) (string, bool) {
	v := n.kwargs["end"]
	if n.x.text == "printb" {
		v = n.kwargs["nl"] // bcc.utils.printb(s, nl="")
	}
	if v == nil {
		return "", false
	}
	return r.str(v)
}

// rowSpec joins the prints of one row (all but the last with end="...")
// into one runplan.Print; prints of different kinds (% and {}) cannot be
// joined: the first is used.
func (r *reader) rowSpec(row []*node, en *env) (*runplan.Print, error) {
	var out *runplan.Print
	for i, n := range row {
		p, err := r.printSpec(n, en)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = p
		} else if p.Braces != out.Braces {
			r.note(n.line, "a print of another kind (%% and {} formats) in one row: only the first part is used")
			return out, nil
		} else {
			out.Format += p.Format
			out.Args = append(out.Args, p.Args...)
		}
		if i < len(row)-1 {
			end, _ := r.printEnd(n)
			if out.Braces {
				end = strings.NewReplacer("{", "{{", "}", "}}").Replace(end)
			} else {
				end = strings.ReplaceAll(end, "%", "%%")
			}
			out.Format += end
		}
	}
	return out, nil
}

// own: name is one of the callback's own values, known per event only:
// the event, a local, a global holding the first event's value.
func (e *env) own(name string) bool {
	return name == e.event || e.locals[name] != nil || e.firsts[name]
}

// mentions: whether an expression names the callback's own values.
func (e *env) mentions(n *node) bool {
	if n == nil {
		return false
	}
	if n.kind == "name" && e.own(n.text) {
		return true
	}
	if e.mentions(n.x) || e.mentions(n.y) {
		return true
	}
	for _, a := range n.args {
		if e.mentions(a) {
			return true
		}
	}
	for _, a := range n.kwargs {
		if e.mentions(a) {
			return true
		}
	}
	return false
}

// mentioned: whether an if chain's conditions name the callback's own
// values (the event, its locals): those are known per event only.
func (e *env) mentioned(chain []*stmt) bool {
	for _, b := range chain {
		for _, t := range b.toks {
			if t.kind == tName && e.own(t.text) {
				return true
			}
		}
	}
	return false
}

func (e *env) fieldsOf() *env { return e }

// printSpec turns print(FORMAT % (args...)) into a runplan.Print.
func (r *reader) printSpec(n *node, en *env) (*runplan.Print, error) {
	if len(n.args) == 1 {
		if tmpl, vals, ok, err := r.template(n.args[0]); ok {
			if err != nil {
				return nil, err
			}
			p := &runplan.Print{Format: tmpl, Braces: true}
			for _, v := range vals {
				a, err := en.arg(v, r)
				if err != nil {
					return nil, err
				}
				p.Args = append(p.Args, a)
			}
			return p, nil
		}
	}
	if len(n.args) != 1 || n.args[0].kind != "binop" || n.args[0].text != "%" {
		// print(a, b, c): Python's str() of each, joined by sep
		sep := " "
		if v := n.kwargs["sep"]; v != nil {
			sep, _ = r.str(v)
		}
		p := &runplan.Print{}
		var parts []string
		for _, a := range n.args {
			if a.kind == "call" && a.x.kind == "attr" && a.x.text == "format" || a.kind == "binop" && a.text == "%" {
				return nil, fmt.Errorf("only print(FORMAT %% (values...)), print(f\"...\"), print(\"...\".format(...)) and print(values...) are read")
			}
			arg, err := en.arg(a, r)
			if err != nil {
				return nil, err
			}
			p.Args = append(p.Args, arg)
			parts = append(parts, "%s")
		}
		if len(parts) == 0 {
			return nil, fmt.Errorf("an empty print")
		}
		sep = strings.ReplaceAll(sep, "%", "%%")
		if r.longer(n.line, joinedLen(parts, sep)) { // sep=LONG, many times
			return nil, r.err
		}
		p.Format = strings.Join(parts, sep)
		return p, nil
	}
	format, ok := r.str(n.args[0].x)
	if !ok {
		return nil, fmt.Errorf("the format is not a literal")
	}
	items := []*node{n.args[0].y}
	if n.args[0].y.kind == "tuple" {
		items = n.args[0].y.args
	}
	p := &runplan.Print{Format: format}
	for _, it := range items {
		a, err := en.arg(it, r)
		if err != nil {
			return nil, err
		}
		p.Args = append(p.Args, a)
	}
	return p, nil
}

// arg reads one print value: an event field, possibly relative to the
// first event's and scaled, a trace_fields() name, or a literal.
func (e *env) arg(n *node, r *reader) (runplan.PrintArg, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > 20 {
		return runplan.PrintArg{}, fmt.Errorf("too deep")
	}
	switch n.kind {
	case "str":
		return runplan.PrintArg{Text: n.text}, nil
	case "attr":
		if n.x.kind == "name" && n.x.text == e.event && e.event != "" {
			return runplan.PrintArg{Field: n.text}, nil
		}
		if n.x.kind == "name" && e.key != "" && (n.x.text == e.key || n.x.text == e.val) {
			side := "key"
			if n.x.text == e.val {
				side = "value"
			}
			if n.text == "value" { // a ctypes scalar's .value
				return runplan.PrintArg{Field: side}, nil
			}
			return runplan.PrintArg{Field: side + "." + n.text}, nil
		}
	case "name":
		if a, ok := e.resolved[n.text]; ok {
			return a, nil
		}
		if f, ok := e.fields[n.text]; ok {
			return runplan.PrintArg{Field: f}, nil
		}
		if v := e.locals[n.text]; v != nil {
			return e.arg(v, r)
		}
		if s, ok := r.str(n); ok {
			return runplan.PrintArg{Text: s}, nil
		}
	case "call":
		if clock, ok := r.clock(n); ok {
			return runplan.PrintArg{Clock: clock}, nil
		}
		switch {
		case n.x.kind == "name" && len(n.args) == 1:
			switch n.x.text {
			case "float", "int", "str", "bytes", "abs", "round":
				return e.arg(n.args[0], r)
			}
		case n.x.kind == "attr" && (n.x.text == "decode" || n.x.text == "encode" || n.x.text == "strip" || n.x.text == "rstrip"):
			return e.arg(n.x.x, r)
		}
		if inner, convert := conversion(n); inner != nil {
			a, err := e.arg(inner, r)
			if err != nil || a.Field == "" || a.Convert != "" || a.Since || a.Scale != 0 {
				return runplan.PrintArg{}, fmt.Errorf("cannot read %s", describe(n))
			}
			a.Convert = convert
			return a, nil
		}
	case "other":
		// x if args.tid else y: decided by the script's options
		if n.text == "ifelse" && len(n.args) == 1 && !e.mentions(n.args[0]) {
			if c, ok := r.eval(n.args[0]); ok {
				if c.truth() {
					return e.arg(n.x, r)
				}
				return e.arg(n.y, r)
			}
		}
	case "binop":
		switch n.text {
		case ">>", "&":
			// event.id >> 32, event.id & 0xffffffff
			f, ok := r.num(n.y)
			if !ok || f < 0 || f != float64(uint64(f)) || n.text == ">>" && f >= 64 {
				break
			}
			a, err := e.arg(n.x, r)
			if err != nil || a.Field == "" || a.Convert != "" || a.Since || a.Scale != 0 || a.Mask != 0 {
				return runplan.PrintArg{}, fmt.Errorf("cannot read %s", describe(n))
			}
			if n.text == ">>" {
				a.Shift += uint8(f)
			} else {
				a.Mask = uint64(f)
			}
			return a, nil
		case "-":
			if n.y.kind == "name" && (e.firsts[n.y.text] || e.fields == nil && !isLocal(e, n.y.text)) {
				a, err := e.arg(n.x, r)
				if err != nil || a.Field == "" {
					return a, fmt.Errorf("cannot read %s", describe(n))
				}
				a.Since = true
				return a, nil
			}
		case "/", "*":
			if f, ok := r.num(n.y); ok && f != 0 {
				a, err := e.arg(n.x, r)
				if err != nil || a.Field == "" {
					return a, fmt.Errorf("cannot read %s", describe(n))
				}
				if a.Scale == 0 {
					a.Scale = 1
				}
				if n.text == "/" {
					a.Scale *= f
				} else {
					a.Scale /= f
				}
				return a, nil
			}
		}
	}
	if n.kind == "other" && n.text == "perEvent" {
		return runplan.PrintArg{}, fmt.Errorf("a value the callback sets in an if on the event (line %d)", n.line)
	}
	return runplan.PrintArg{}, fmt.Errorf("cannot read %s", describe(n))
}

// conversion reads a script's conversion of a value for printing:
// inet_ntop(AF_INET, pack("I", x)), inet_ntoa(struct.pack("I", x)),
// inet_ntop(AF_INET6, x), socket.ntohs(x), ntohl(x). It returns x and the
// conversion, or nil.
func conversion(n *node) (*node, string) {
	name := n.x.dotted()
	name = name[strings.LastIndex(name, ".")+1:]
	switch {
	case (name == "ntohs" || name == "ntohl") && len(n.args) == 1:
		return n.args[0], name
	case name == "inet_ntoa" && len(n.args) == 1:
		if x := packedU32(n.args[0]); x != nil {
			return x, runplan.ConvertIPv4
		}
	case name == "inet_ntop" && len(n.args) == 2:
		family := n.args[0].dotted()
		switch family[strings.LastIndex(family, ".")+1:] {
		case "AF_INET":
			if x := packedU32(n.args[1]); x != nil {
				return x, runplan.ConvertIPv4
			}
		case "AF_INET6":
			return n.args[1], runplan.ConvertIPv6
		}
	}
	return nil, ""
}

// packedU32 is x of pack("I", x) or struct.pack("=I", x): a 32-bit
// integer as its bytes in memory.
func packedU32(n *node) *node {
	if n.kind != "call" || len(n.args) != 2 || n.args[0].kind != "str" {
		return nil
	}
	if name := n.x.dotted(); name != "pack" && name != "struct.pack" {
		return nil
	}
	switch n.args[0].text {
	case "I", "=I", "@I", "<I", "=L", "<L": // 4 bytes (native "L" is 8)
		return n.args[1]
	}
	return nil
}

func isLocal(e *env, name string) bool { return e.locals[name] != nil }

// describe names an expression in a note, briefly.
func describe(n *node) string {
	switch n.kind {
	case "name":
		return n.text
	case "attr":
		return describe(n.x) + "." + n.text
	case "call":
		return describe(n.x) + "(...)"
	case "binop":
		return describe(n.x) + " " + n.text + " " + describe(n.y)
	case "str":
		return fmt.Sprintf("%q", n.text)
	}
	return strings.TrimSpace(n.kind)
}

// clock reads the wall clock a script prints: strftime(F),
// time.strftime(F[, time.localtime()]), datetime.now().strftime(F); F is
// returned when pyfmt.Strftime takes it.
func (r *reader) clock(n *node) (string, bool) {
	if n.kind != "call" || len(n.args) == 0 || len(n.args) > 2 {
		return "", false
	}
	switch fn := n.x.dotted(); {
	case fn == "strftime" || fn == "time.strftime":
		if len(n.args) == 2 && !(n.args[1].kind == "call" && len(n.args[1].args) == 0 &&
			(n.args[1].x.dotted() == "localtime" || n.args[1].x.dotted() == "time.localtime")) {
			return "", false
		}
	case n.x.kind == "attr" && n.x.text == "strftime" && len(n.args) == 1:
		now := n.x.x // datetime.now(), datetime.datetime.now()
		if now.kind != "call" || len(now.args) != 0 || !strings.HasSuffix(now.x.dotted(), "datetime.now") && now.x.dotted() != "now" {
			return "", false
		}
	default:
		return "", false
	}
	format, ok := r.str(n.args[0])
	if !ok {
		return "", false
	}
	if _, err := pyfmt.Strftime(format, time.Now()); err != nil {
		return "", false
	}
	return format, true
}
