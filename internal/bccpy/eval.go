package bccpy

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/pyfmt"
)

// Options are what ReadWith knows beyond the script.
type Options struct {
	// Args are the script's own arguments (its sys.argv[1:]), as given
	// after -- to run: argparse's options and sys.argv take them, and the
	// script's conditions on them are evaluated. None: as run without any.
	Args []string
	// Kernel is what BCC's kernel queries would answer here; nil when it is
	// not known (then an if on BPF.get_kprobe_functions keeps every branch,
	// the later ones as fallbacks of the first).
	Kernel *Kernel
	// Arch is the GOARCH the program is for ("": this machine's): BCC's
	// get_syscall_fnname names that architecture's syscall wrappers.
	Arch string
	// StructFields answers BPF.kernel_struct_has_field(STRUCT, FIELD) for
	// the literal pairs the script asks about ("task_struct.__state"), from
	// the kernel's BTF; a pair not in it is unknown.
	StructFields map[string]bool
	// Sysctl are the /proc/sys files the script reads
	// (open("/proc/sys/kernel/pid_max").read()), by path, as read here.
	Sysctl map[string]string
}

// Kernel is what a script may ask about the running kernel, as data.
type Kernel struct {
	// FilterFunctions are the names available_filter_functions lists (the
	// first word of each line: "name [module]"); empty when it cannot be
	// read for lack of permission, which BCC reads as an empty list too.
	FilterFunctions []string
	// Blacklist are the functions kprobes refuse (debugfs's
	// kprobes/blacklist), when known.
	Blacklist []string
}

// kprobeFunctions is BCC's BPF.get_kprobe_functions(re): the functions
// whose whole name matches re, that kprobes may attach to and are not
// blacklisted, leaving out the names BCC leaves out (NOKPROBE markers,
// perf's functions, static calls, .cold parts).
func (k *Kernel) kprobeFunctions(re string) ([]string, error) {
	rx, err := regexp.Compile(`^(?:` + re + `)$`)
	if err != nil {
		return nil, err
	}
	black := map[string]bool{}
	for _, b := range k.Blacklist {
		black[b] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range k.FilterFunctions {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name == "" || seen[name] || black[name] || strings.HasPrefix(name, "_kbl_addr_") ||
			strings.HasPrefix(name, "__perf") || strings.HasPrefix(name, "perf_") || strings.HasPrefix(name, "__SCT__") ||
			coldPart.MatchString(name) {
			continue
		}
		if rx.MatchString(name) {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

var coldPart = regexp.MustCompile(`\.cold(\.\d+)?$`)

// value is what the reader knows of a Python value it evaluates.
type value struct {
	kind valueKind
	b    bool
	f    float64
	s    string
	l    []string
	d    map[string]value // a dict with string keys
}

type valueKind int

const (
	vNone valueKind = iota + 1
	vBool
	vNum
	vStr
	vList // of strings: sys.argv, a set of kernel functions
	vDict // with string keys: a tool's table of code snippets
)

// truth is Python's truth of v.
func (v value) truth() bool {
	switch v.kind {
	case vBool:
		return v.b
	case vNum:
		return v.f != 0
	case vStr:
		return v.s != ""
	case vList:
		return len(v.l) > 0
	case vDict:
		return len(v.d) > 0
	}
	return false
}

// text is str(v) for the values whose text the C may receive; None has
// none ("None" in a program's text is never what its author meant).
func (v value) text() (string, bool) {
	switch v.kind {
	case vStr:
		return v.s, true
	case vNum:
		return formatNum(v.f), true
	case vBool:
		if v.b {
			return "True", true
		}
		return "False", true
	}
	return "", false
}

// formatNum prints a number as Python prints an int, or a float.
func formatNum(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// eval evaluates what the script computes from literals, its variables,
// its arguments (sys.argv, argparse) and the kernel's answers; ok is false
// for anything else.
func (r *reader) eval(n *node) (value, bool) {
	if n == nil {
		return value{}, false
	}
	if r.spend(n.line, stmtCost/8) != nil {
		return value{}, false
	}
	switch n.kind {
	case "str":
		return value{kind: vStr, s: n.text}, true
	case "list": // of strings only
		l := value{kind: vList}
		for _, a := range n.args {
			s, ok := r.str(a)
			if !ok {
				return value{}, false
			}
			l.l = append(l.l, s)
		}
		return l, true
	case "num":
		f, ok := r.num(n)
		return value{kind: vNum, f: f}, ok
	case "name":
		switch n.text {
		case "True", "False":
			return value{kind: vBool, b: n.text == "True"}, true
		case "None":
			return value{kind: vNone}, true
		case "__name__":
			return value{kind: vStr, s: "__main__"}, true
		}
		if r.guessed[n.text] {
			return value{}, false
		}
		if s, ok := r.strs[n.text]; ok {
			return value{kind: vStr, s: s}, r.spend(n.line, len(s)) == nil
		}
		if f, ok := r.nums[n.text]; ok {
			return value{kind: vNum, f: f}, true
		}
		if v, ok := r.vals[n.text]; ok {
			return v, true
		}
		if n.text == "argv" && r.argvName {
			return value{kind: vList, l: r.argvList()}, true
		}
	case "attr":
		if n.dotted() == "sys.argv" {
			return value{kind: vList, l: r.argvList()}, true
		}
		if n.x.kind == "name" {
			if ns := r.namespaces[n.x.text]; ns != nil {
				v, ok := ns[n.text]
				return v, ok
			}
		}
	case "dict": // args: key, value, key, value...
		d := value{kind: vDict, d: map[string]value{}}
		for i := 0; i+1 < len(n.args); i += 2 {
			k, ok1 := r.str(n.args[i])
			v, ok2 := r.eval(n.args[i+1])
			if !ok1 || !ok2 {
				return value{}, false
			}
			d.d[k] = v
		}
		return d, true
	case "index":
		base, ok := r.eval(n.x)
		if ok && base.kind == vDict {
			k, ok := r.str(n.y)
			v, found := base.d[k]
			return v, ok && found
		}
		if !ok || base.kind != vList && base.kind != vStr {
			return value{}, false
		}
		i, ok := r.eval(n.y)
		if !ok || i.kind != vNum || i.f != float64(int(i.f)) {
			return value{}, false
		}
		k, size := int(i.f), len(base.l)
		if base.kind == vStr {
			size = len(base.s)
		}
		if k < 0 {
			k += size
		}
		if k < 0 || k >= size {
			return value{}, false // IndexError: the script would stop
		}
		if base.kind == vStr {
			return value{kind: vStr, s: base.s[k : k+1]}, true
		}
		return value{kind: vStr, s: base.l[k]}, true
	case "unary":
		x, ok := r.eval(n.x)
		if !ok {
			return value{}, false
		}
		switch n.text {
		case "not":
			return value{kind: vBool, b: !x.truth()}, true
		case "-":
			if x.kind == vNum {
				return value{kind: vNum, f: -x.f}, true
			}
		case "+":
			if x.kind == vNum {
				return x, true
			}
		}
	case "binop":
		return r.evalBinop(n)
	case "call":
		return r.evalCall(n)
	case "other":
		if n.text == "ifelse" && len(n.args) == 1 { // x if cond else y
			c, ok := r.eval(n.args[0])
			if !ok {
				return value{}, false
			}
			if c.truth() {
				return r.eval(n.x)
			}
			return r.eval(n.y)
		}
	}
	return value{}, false
}

func (r *reader) evalBinop(n *node) (value, bool) {
	switch n.text {
	case "and", "or": // Python's: the deciding operand, known alone when it decides
		x, ok := r.eval(n.x)
		if !ok {
			y, ok := r.eval(n.y)
			if ok && (n.text == "and" && !y.truth() || n.text == "or" && y.truth()) {
				return value{kind: vBool, b: y.truth()}, true // its truth decides (not its value)
			}
			return value{}, false
		}
		if x.truth() == (n.text == "or") {
			return x, true
		}
		return r.eval(n.y)
	}
	x, ok1 := r.eval(n.x)
	y, ok2 := r.eval(n.y)
	if !ok1 || !ok2 {
		return value{}, false
	}
	switch n.text {
	case "is", "is not":
		if x.kind != vNone && y.kind != vNone {
			return value{}, false
		}
		same := x.kind == y.kind
		return value{kind: vBool, b: same == (n.text == "is")}, true
	case "==", "!=":
		eq, ok := equal(x, y)
		if !ok {
			return value{}, false
		}
		return value{kind: vBool, b: eq == (n.text == "==")}, true
	case "<", ">", "<=", ">=":
		c, ok := compare(x, y)
		if !ok {
			return value{}, false
		}
		b := map[string]bool{"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[n.text]
		return value{kind: vBool, b: b}, true
	case "in", "not in":
		found := false
		switch {
		case y.kind == vList && x.kind == vStr:
			for _, e := range y.l {
				found = found || e == x.s
			}
		case y.kind == vStr && x.kind == vStr:
			found = strings.Contains(y.s, x.s)
		default:
			return value{}, false
		}
		return value{kind: vBool, b: found == (n.text == "in")}, true
	case "+":
		switch {
		case x.kind == vNum && y.kind == vNum:
			return value{kind: vNum, f: x.f + y.f}, true
		case x.kind == vStr && y.kind == vStr:
			if r.longer(n.line, len(x.s)+len(y.s)) {
				return value{}, false
			}
			return value{kind: vStr, s: x.s + y.s}, true
		}
	case "-", "*":
		if x.kind == vNum && y.kind == vNum {
			if n.text == "-" {
				return value{kind: vNum, f: x.f - y.f}, true
			}
			return value{kind: vNum, f: x.f * y.f}, true
		}
	case "%":
		if x.kind != vStr {
			return value{}, false
		}
		items := []*node{n.y}
		if n.y.kind == "tuple" {
			items = n.y.args
		}
		var args []any
		for _, it := range items {
			v, ok := r.eval(it)
			if !ok {
				return value{}, false
			}
			switch v.kind {
			case vStr:
				args = append(args, v.s)
			case vNum:
				if v.f == float64(int64(v.f)) {
					args = append(args, int64(v.f))
				} else {
					args = append(args, v.f)
				}
			default:
				return value{}, false // None, True: "%d" % None fails in Python
			}
		}
		s, err := pyfmt.Sprintf(x.s, args...)
		if err != nil || r.longer(n.line, len(s)) {
			return value{}, false
		}
		return value{kind: vStr, s: s}, true
	}
	return value{}, false
}

func (r *reader) evalCall(n *node) (value, bool) {
	fn := n.x.dotted()
	if fn == "" && n.x.kind == "attr" {
		fn = "." + n.x.text
	}
	arg := func() (value, bool) {
		if len(n.args) != 1 {
			return value{}, false
		}
		return r.eval(n.args[0])
	}
	switch {
	case fn == "len":
		v, ok := arg()
		switch {
		case ok && v.kind == vList:
			return value{kind: vNum, f: float64(len(v.l))}, true
		case ok && v.kind == vStr:
			return value{kind: vNum, f: float64(len(v.s))}, true
		}
	case fn == "str":
		if v, ok := arg(); ok {
			if s, ok := v.text(); ok {
				return value{kind: vStr, s: s}, true
			}
		}
	case fn == "int" || fn == "float":
		v, ok := arg()
		if !ok {
			break
		}
		switch v.kind {
		case vNum:
			if fn == "int" {
				return value{kind: vNum, f: float64(int64(v.f))}, true
			}
			return v, true
		case vStr:
			if f, ok := parseNumber(v.s, fn == "int"); ok {
				return value{kind: vNum, f: f}, true
			}
		}
	case fn == "bool":
		if v, ok := arg(); ok {
			return value{kind: vBool, b: v.truth()}, true
		}
	case strings.HasSuffix(fn, ".support_kfunc") || strings.HasSuffix(fn, ".support_fentry") || strings.HasSuffix(fn, ".support_lsm"):
		// ebpf-hello does not translate KFUNC_PROBE or LSM_PROBE: a script
		// that asks takes its kprobe branch, which falls back to
		// tracepoints where kprobes are missing
		return value{kind: vBool, b: false}, true
	case strings.HasSuffix(fn, ".support_raw_tracepoint") || strings.HasSuffix(fn, ".support_raw_tracepoint_in_module"):
		// raw tracepoints are there from 4.17 (in modules from 5.0), older
		// than anything else run needs (BTF, CO-RE)
		return value{kind: vBool, b: true}, true
	case strings.HasSuffix(fn, ".kernel_struct_has_field") && len(n.args) == 2:
		st, ok1 := r.str(n.args[0])
		field, ok2 := r.str(n.args[1])
		if has, known := r.structFields[st+"."+field]; ok1 && ok2 && known {
			v := value{kind: vNum}
			if has {
				v.f = 1
			}
			return v, true
		}
	case strings.HasSuffix(fn, ".get_kprobe_functions") && len(n.args) == 1:
		if r.kernel == nil {
			break
		}
		re, ok := r.str(n.args[0])
		if !ok || r.spend(n.line, len(r.kernel.FilterFunctions)) != nil {
			break
		}
		fns, err := r.kernel.kprobeFunctions(re)
		if err != nil {
			r.note(n.line, "get_kprobe_functions(%q): a regular expression Go's regexp does not take (%v): every branch is kept", re, err)
			break
		}
		return value{kind: vList, l: fns}, true
	}
	// open("/proc/sys/kernel/pid_max").read(): a kernel setting
	if n.x.kind == "attr" && n.x.text == "read" && len(n.args) == 0 && n.x.x.kind == "call" && n.x.x.x.dotted() == "open" && len(n.x.x.args) >= 1 {
		if path, ok := r.str(n.x.x.args[0]); ok {
			if v, ok := r.sysctl[path]; ok {
				return value{kind: vStr, s: v}, true
			}
		}
	}
	if n.x.kind == "attr" {
		switch n.x.text {
		case "encode", "decode", "strip": // "x".encode(): the same text here
			if v, ok := r.eval(n.x.x); ok && v.kind == vStr {
				return v, true
			}
		case "get_syscall_prefix":
			if len(n.args) == 0 {
				return value{kind: vStr, s: bcc.SyscallPrefix(r.arch)}, true
			}
		case "get_syscall_fnname":
			if len(n.args) == 1 {
				if s, ok := r.str(n.args[0]); ok {
					return value{kind: vStr, s: bcc.SyscallPrefix(r.arch) + s}, true
				}
			}
		}
	}
	return value{}, false
}

// parseNumber reads a number as int() or float() reads a string.
func parseNumber(s string, integer bool) (float64, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", ""))
	if integer {
		i, err := strconv.ParseInt(s, 10, 64)
		return float64(i), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func equal(x, y value) (bool, bool) {
	switch {
	case x.kind == vNone || y.kind == vNone:
		return x.kind == y.kind, true
	case x.kind == vStr && y.kind == vStr:
		return x.s == y.s, true
	case (x.kind == vNum || x.kind == vBool) && (y.kind == vNum || y.kind == vBool):
		return x.number() == y.number(), true
	case x.kind == vStr || y.kind == vStr:
		return false, true // "1" == 1 is False
	}
	return false, false
}

func compare(x, y value) (int, bool) {
	switch {
	case x.kind == vStr && y.kind == vStr:
		return strings.Compare(x.s, y.s), true
	case (x.kind == vNum || x.kind == vBool) && (y.kind == vNum || y.kind == vBool):
		a, b := x.number(), y.number()
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (v value) number() float64 {
	if v.kind == vBool {
		if v.b {
			return 1
		}
		return 0
	}
	return v.f
}

// cond evaluates an if or elif header's condition.
func (r *reader) cond(st *stmt) (truth, known bool) {
	toks := st.toks
	if len(toks) < 3 || toks[len(toks)-1].text != ":" {
		return false, false
	}
	n, err := r.parse(toks[1 : len(toks)-1])
	if err != nil {
		return false, false
	}
	v, ok := r.eval(n)
	return v.truth(), ok
}

// decide evaluates an if/elif/else chain's conditions in order: the
// branch Python takes (-1: none), and whether the script's values decide
// it at all.
func (r *reader) decide(chain []*stmt) (taken int, decided bool) {
	for i, b := range chain {
		if b.toks[0].text == "else" {
			return i, true
		}
		c, known := r.cond(b)
		if r.err != nil || !known {
			return -1, false
		}
		if c {
			return i, true
		}
	}
	return -1, true
}

// ifChain reads an if with its elif and else branches. When the script's
// values decide it, only the branch Python takes is read; otherwise every
// branch is (kernel checks become alternatives of each other). A branch
// that ends the script (exit(), sys.exit(), parser.error(), raise) is its
// usage or error path, never read: run follows the normal path.
func (r *reader) ifChain(chain []*stmt, inLoop bool) error {
	for _, b := range chain {
		if err := r.spend(b.line, b.size+stmtCost); err != nil {
			return err
		}
	}
	r.flushPending()
	taken, decided := r.decide(chain)
	if r.err != nil {
		return r.err
	}
	if decided {
		if taken < 0 {
			return nil
		}
		b := chain[taken]
		if !r.exits(b.body) {
			return r.block(b.body, inLoop)
		}
		given := "with no arguments"
		if len(r.args) > 0 {
			given = "with the arguments given"
		}
		r.note(b.line, "%s the script stops here (its usage or an error): run follows its normal path (give the script's arguments after --: ebpf-hello run %s -- ARGS)", given, r.s.Name)
	}
	var branches []*stmt
	for _, b := range chain {
		if !r.exits(b.body) {
			branches = append(branches, b)
		}
	}
	if len(branches) == 0 {
		return nil
	}
	if kernelCheck(chain[0].toks) && branches[0] == chain[0] {
		return r.alternatives(branches, inLoop)
	}
	for _, b := range branches {
		if err := r.block(b.body, inLoop); err != nil {
			return err
		}
	}
	return nil
}

// exits tells a block that ends the script: its usage or error path.
func (r *reader) exits(body []*stmt) bool {
	for _, st := range body {
		switch head := st.toks[0].text; {
		case head == "raise":
			return true
		case st.toks[0].kind != tName || len(st.body) > 0:
			continue
		}
		n, err := parseExpr(st.toks)
		if err != nil || n.kind != "call" {
			continue
		}
		switch fn := n.x.dotted(); fn {
		case "exit", "quit", "sys.exit", "os._exit":
			return true
		default:
			if n.x.kind == "attr" && (n.x.text == "error" || n.x.text == "exit") &&
				n.x.x.kind == "name" && r.parsers[n.x.x.text] != nil {
				return true
			}
		}
	}
	return false
}

// argvList is the script's sys.argv.
func (r *reader) argvList() []string {
	return append([]string{r.s.Name}, r.args...)
}

// setupLoop reads "for x in [a, b]:" (or a tuple of literals, or
// "for a, b in ((1, 2), ...)") once per element, as set-up: attaching one
// function to several events in a loop is not tracing. A loop that polls,
// sleeps or prints maps is left to the caller.
func (r *reader) setupLoop(st *stmt, inLoop bool) (bool, error) {
	toks := st.toks
	in := -1
	for k, t := range toks {
		if t.kind == tName && t.text == "in" {
			in = k
			break
		}
	}
	if in < 2 || len(toks) < in+4 || toks[len(toks)-1].text != ":" {
		return false, nil
	}
	var names []string
	for _, t := range toks[1:in] {
		switch {
		case t.kind == tName:
			names = append(names, t.text)
		case t.kind == tOp && (t.text == "," || t.text == "(" || t.text == ")"):
		default:
			return false, nil
		}
	}
	iter := toks[in+1 : len(toks)-1]
	open, close := iter[0].text, iter[len(iter)-1].text
	if len(names) == 0 || !(open == "[" && close == "]" || open == "(" && close == ")") {
		return false, nil
	}
	for _, t := range flatten(st.body) {
		switch t.text {
		case "sleep", "perf_buffer_poll", "ring_buffer_poll", "ring_buffer_consume", "trace_print", "trace_fields",
			"items", "values", "print_log2_hist", "print_linear_hist", "clear", "while", "for":
			return false, nil
		}
	}
	// the elements: split at the commas inside the outer brackets
	var elems [][]ptok
	depth, start := 0, 1
	for k := 1; k < len(iter)-1; k++ {
		switch t := iter[k]; {
		case t.kind != tOp:
		case t.text == "(" || t.text == "[" || t.text == "{":
			depth++
		case t.text == ")" || t.text == "]" || t.text == "}":
			depth--
		case t.text == "," && depth == 0:
			elems = append(elems, iter[start:k])
			start = k + 1
		}
	}
	if start < len(iter)-1 {
		elems = append(elems, iter[start:len(iter)-1])
	}
	const maxElems = 64
	if len(elems) == 0 || len(elems) > maxElems {
		return false, nil
	}
	var rows [][]value
	for _, e := range elems {
		n, err := r.parse(e)
		if err != nil {
			return false, nil
		}
		items := []*node{n}
		if len(names) > 1 {
			if n.kind != "tuple" || len(n.args) != len(names) {
				return false, nil
			}
			items = n.args
		}
		var row []value
		for _, it := range items {
			v, ok := r.eval(it)
			if !ok {
				return false, nil
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	for _, row := range rows {
		for k, name := range names {
			delete(r.strs, name)
			delete(r.nums, name)
			delete(r.vals, name)
			delete(r.guessed, name)
			switch v := row[k]; v.kind {
			case vStr:
				r.strs[name] = v.s
			case vNum:
				r.nums[name] = v.f
			default:
				r.vals[name] = v
			}
		}
		if err := r.block(st.body, inLoop); err != nil {
			return true, err
		}
	}
	return true, nil
}

// flatten lists the tokens of statements and their bodies.
func flatten(stmts []*stmt) []ptok {
	var out []ptok
	for _, s := range stmts {
		out = append(out, s.toks...)
		out = append(out, flatten(s.body)...)
	}
	return out
}

// assignedNames are the names the statements (and their bodies) assign:
// "x = ...", "x += ...", "a, b = ...", "for x in ...".
func assignedNames(stmts []*stmt) []string {
	var out []string
	for _, st := range stmts {
		toks := st.toks
		end := -1
		switch {
		case toks[0].kind == tName && toks[0].text == "for":
			for k, t := range toks {
				if t.kind == tName && t.text == "in" {
					end = k
					break
				}
			}
			toks = toks[1:max(end, 1)]
			end = len(toks)
		default:
			for _, op := range []string{"=", "+=", "-=", "*=", "/=", "//=", "%=", "|=", "&="} {
				if k := topLevel(toks, op); k > 0 {
					end = k
					break
				}
			}
		}
		for k := 0; k < end && k < len(toks); k++ {
			if toks[k].kind == tName && (k == 0 || toks[k-1].text == "," || toks[k-1].text == "(") {
				out = append(out, toks[k].text)
			}
		}
		out = append(out, assignedNames(st.body)...)
	}
	return out
}
