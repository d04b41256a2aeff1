package bccpy

import (
	"fmt"
	"sort"
	"strings"
)

// argParser is what the reader knows of an argparse.ArgumentParser the
// script builds: its options, in order.
type argParser struct {
	opts []*argOpt
}

// argOpt is one add_argument(...).
type argOpt struct {
	flags      []string // "-p", "--pid"; none for a positional
	dest       string
	action     string // store, store_true, store_false, store_const, count, append, help, version
	typ        string // int, float, str, or the script's own converter ("" is str)
	def        *value // default; nil: None
	constant   *value
	nargs      string // "", "?", "*", "+" or a number
	unknownDef bool   // a default the reader cannot compute
	hidden     bool   // help=argparse.SUPPRESS: not in the list of options
}

// takesValue: the option is followed by a value.
func (o *argOpt) takesValue() bool {
	switch o.action {
	case "store_true", "store_false", "store_const", "count", "help", "version":
		return false
	}
	return true
}

// addArgument reads parser.add_argument(*flags, **kwargs).
func (r *reader) addArgument(p *argParser, n *node) {
	o := &argOpt{action: "store"}
	for _, a := range n.args {
		s, ok := r.str(a)
		if !ok {
			r.note(n.line, "add_argument with a computed name: the option is not known")
			return
		}
		if strings.HasPrefix(s, "-") {
			o.flags = append(o.flags, s)
		} else {
			o.dest = s
		}
	}
	kw := func(k string) (string, bool) {
		if v := n.kwargs[k]; v != nil {
			return r.str(v)
		}
		return "", false
	}
	if s, ok := kw("action"); ok {
		o.action = s
	} else if n.kwargs["action"] != nil {
		o.action = "custom"
	}
	if s, ok := kw("dest"); ok {
		o.dest = s
	}
	if s, ok := kw("nargs"); ok {
		o.nargs = s
	} else if v := n.kwargs["nargs"]; v != nil && v.kind == "num" {
		o.nargs = v.text
	}
	if t := n.kwargs["type"]; t != nil {
		o.typ = t.dotted()
		if o.typ == "" {
			o.typ = "custom"
		}
	}
	if d := n.kwargs["default"]; d != nil {
		if v, ok := r.eval(d); ok {
			o.def = &v
		} else {
			o.unknownDef = true
		}
	}
	if h := n.kwargs["help"]; h != nil && h.dotted() == "argparse.SUPPRESS" {
		o.hidden = true
	}
	if c := n.kwargs["const"]; c != nil {
		if v, ok := r.eval(c); ok {
			o.constant = &v
		}
	}
	if o.dest == "" {
		for _, f := range o.flags {
			if strings.HasPrefix(f, "--") {
				o.dest = strings.ReplaceAll(f[2:], "-", "_")
				break
			}
		}
		if o.dest == "" && len(o.flags) > 0 {
			o.dest = strings.ReplaceAll(strings.TrimLeft(o.flags[0], "-"), "-", "_")
		}
	}
	if o.action == "help" || o.action == "version" {
		o.dest = ""
	}
	p.opts = append(p.opts, o)
}

// parseArgs is parser.parse_args() on the script's arguments: the
// namespace it returns, by dest. A value it cannot know (a default the
// reader cannot compute, the script's own converter refusing...) is left
// out: the expressions using it are not evaluated.
func (r *reader) parseArgs(p *argParser, line int) (map[string]value, error) {
	ns := map[string]value{}
	known := map[string]bool{}
	for _, o := range p.opts {
		if o.dest == "" {
			continue
		}
		known[o.dest] = true
		switch {
		case o.unknownDef:
			delete(ns, o.dest)
		case o.def != nil:
			ns[o.dest] = *o.def
		case o.action == "store_true":
			ns[o.dest] = value{kind: vBool, b: false}
		case o.action == "store_false":
			ns[o.dest] = value{kind: vBool, b: true}
		case o.action == "custom":
			delete(ns, o.dest)
		default:
			ns[o.dest] = value{kind: vNone}
		}
	}
	set := func(o *argOpt, v value) {
		if o.dest != "" {
			ns[o.dest] = v
		}
	}
	convert := func(o *argOpt, s string) (value, error) {
		switch o.typ {
		case "int", "float":
			f, ok := parseNumber(s, o.typ == "int")
			if !ok {
				return value{}, fmt.Errorf("argument %s: invalid %s value: %q", o.name(), o.typ, s)
			}
			return value{kind: vNum, f: f}, nil
		case "", "str":
			return value{kind: vStr, s: s}, nil
		}
		// the script's own converter (positive_int and the like): a number
		// when it reads as one
		if f, ok := parseNumber(s, true); ok {
			return value{kind: vNum, f: f}, nil
		}
		return value{kind: vStr, s: s}, nil
	}
	args := r.args
	var positionals []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positionals = append(positionals, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNegativeNumber(a) {
			positionals = append(positionals, a)
			continue
		}
		var o *argOpt
		var attached string
		hasAttached := false
		if strings.HasPrefix(a, "--") {
			name, val, eq := strings.Cut(a, "=")
			var err error
			if o, err = p.long(name); err != nil {
				return nil, err
			}
			attached, hasAttached = val, eq
		} else {
			o = p.short(a[:2])
			if o == nil {
				return nil, p.unrecognized(a)
			}
			if len(a) > 2 {
				attached, hasAttached = a[2:], true
			}
			// -xp42: flags without values run together
			for hasAttached && !o.takesValue() {
				if err := r.flag(o, ns, p); err != nil {
					return nil, err
				}
				next := p.short("-" + attached[:1])
				if next == nil {
					return nil, p.unrecognized("-" + attached)
				}
				o, attached = next, attached[1:]
				hasAttached = attached != ""
			}
		}
		if !o.takesValue() {
			if hasAttached && strings.HasPrefix(a, "--") {
				return nil, fmt.Errorf("argument %s: ignored explicit argument %q", o.name(), attached)
			}
			if err := r.flag(o, ns, p); err != nil {
				return nil, err
			}
			continue
		}
		var vals []string
		switch {
		case hasAttached:
			vals = []string{attached}
		case o.nargs == "?":
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				vals = []string{args[i]}
			}
		case o.nargs == "*" || o.nargs == "+":
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				vals = append(vals, args[i])
			}
		default:
			if i+1 >= len(args) {
				return nil, fmt.Errorf("argument %s: expected one argument", o.name())
			}
			i++
			vals = []string{args[i]}
		}
		switch {
		case len(vals) == 0 && o.nargs == "?":
			if o.constant != nil {
				set(o, *o.constant)
			} else {
				set(o, value{kind: vNone})
			}
		case o.nargs == "*" || o.nargs == "+" || o.action == "append":
			delete(ns, o.dest) // a list: not followed
		default:
			v, err := convert(o, vals[0])
			if err != nil {
				return nil, err
			}
			set(o, v)
		}
	}
	// positionals, in order
	k := 0
	for _, o := range p.opts {
		if len(o.flags) > 0 || o.dest == "" {
			continue
		}
		switch {
		case o.nargs == "*" || o.nargs == "+":
			if k < len(positionals) {
				delete(ns, o.dest)
				k = len(positionals)
			}
		case k < len(positionals):
			v, err := convert(o, positionals[k])
			if err != nil {
				return nil, err
			}
			set(o, v)
			k++
		case o.nargs != "?" && o.def == nil:
			// a required argument not given: argparse would stop with its
			// usage; its value stays unknown
			delete(ns, o.dest)
			r.note(line, "the script needs its argument %s: give it after --: ebpf-hello run %s -- %s", strings.ToUpper(o.dest), r.s.Name, strings.ToUpper(o.dest))
		}
	}
	if k < len(positionals) {
		return nil, fmt.Errorf("unrecognized arguments: %s", strings.Join(positionals[k:], " "))
	}
	return ns, nil
}

// flag applies an option that takes no value.
func (r *reader) flag(o *argOpt, ns map[string]value, p *argParser) error {
	switch o.action {
	case "help":
		return fmt.Errorf("%s: run reads the script, never runs it, so it prints no help of its own: its options are %s", o.name(), p.names())
	case "version":
		return fmt.Errorf("%s: the script would print its version and stop", o.name())
	case "store_true":
		ns[o.dest] = value{kind: vBool, b: true}
	case "store_false":
		ns[o.dest] = value{kind: vBool, b: false}
	case "store_const":
		if o.constant != nil {
			ns[o.dest] = *o.constant
		} else {
			delete(ns, o.dest)
		}
	case "count":
		v := ns[o.dest]
		if v.kind != vNum {
			v = value{kind: vNum}
		}
		v.f++
		ns[o.dest] = v
	default:
		delete(ns, o.dest)
	}
	return nil
}

func (o *argOpt) name() string {
	if len(o.flags) > 0 {
		return strings.Join(o.flags, "/")
	}
	return o.dest
}

func (p *argParser) short(flag string) *argOpt {
	for _, o := range p.opts {
		for _, f := range o.flags {
			if f == flag {
				return o
			}
		}
	}
	return nil
}

// long finds --name, or the one option it abbreviates (as argparse does).
func (p *argParser) long(name string) (*argOpt, error) {
	var matches []*argOpt
	for _, o := range p.opts {
		for _, f := range o.flags {
			if f == name {
				return o, nil
			}
			if strings.HasPrefix(f, "--") && strings.HasPrefix(f, name) {
				matches = append(matches, o)
				break
			}
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, p.unrecognized(name)
	}
	return nil, fmt.Errorf("ambiguous option: %s could match %s", name, p.namesOf(matches))
}

func (p *argParser) unrecognized(arg string) error {
	return fmt.Errorf("unrecognized argument %s: the script's options are %s", arg, p.names())
}

func (p *argParser) names() string { return p.namesOf(p.opts) }

func (p *argParser) namesOf(opts []*argOpt) string {
	var out []string
	for _, o := range opts {
		if o.action == "help" || o.hidden {
			continue
		}
		if len(o.flags) == 0 {
			out = append(out, strings.ToUpper(o.dest))
			continue
		}
		fl := append([]string(nil), o.flags...)
		sort.Slice(fl, func(a, b int) bool { return len(fl[a]) < len(fl[b]) })
		name := strings.Join(fl, "/")
		if o.takesValue() {
			name += " " + strings.ToUpper(o.dest)
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// isNegativeNumber: "-1" is a value, not an option (when, as in BCC's
// tools, no option looks like a number).
func isNegativeNumber(s string) bool {
	_, ok := parseNumber(s, false)
	return ok
}
