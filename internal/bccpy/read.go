// Package bccpy reads a BCC Python script statically, never executing it,
// and says what `ebpf-hello run` must do to behave like `python3 script.py`:
// which BPF C to load (BPF(src_file=...) or BPF(text=...), with the
// script's simple text substitutions), what to attach where (attach_kprobe
// and friends, get_syscall_fnname), and what to show (trace_print,
// trace_fields and its print, perf/ring buffer callbacks and their print,
// print_log2_hist, print_linear_hist, items(), sleep loops and clear()).
// Whatever it cannot infer goes into Notes, which run prints on stderr.
package bccpy

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/pyfmt"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// Script is what a BCC Python script asks for.
type Script struct {
	Name string // the script's file name
	// SourceFile is BPF(src_file=...) as written (relative to the script);
	// "" when the program is inline (Text).
	SourceFile string
	Text       []byte // BPF(text=...) after the script's literal substitutions
	// Replace are the script's .replace(OLD, NEW) substitutions with a
	// literal NEW, applied to the program's text (SourceFile's too).
	Replace [][2]string
	// Globals are placeholders the script fills from its own command line
	// (.replace("PID", str(args.pid))): each becomes a const volatile global
	// of the program, set with `run --set NAME=VALUE`.
	Globals []string
	Attach  []runplan.Attach
	// Loads are the functions the script loads as programs without
	// attaching them (b.load_func(name, BPF.KPROBE)): tail calls' targets.
	// Target is empty.
	Loads []runplan.Attach
	// Defines are BPF(cflags=[...])'s -D options: "NAME" or "NAME=VALUE".
	Defines []string
	Plan    runplan.Plan // Outputs, Interval, Header, Notes, MapWrites
}

// Substitute applies the script's substitutions to the program's text.
// A program that would grow past bcc.MaxSource (1 MiB) is an error: a few
// substitutions of a placeholder by a longer text can multiply its size.
func (s *Script) Substitute(c []byte) ([]byte, error) {
	text := string(c)
	for _, r := range s.Replace {
		if r[0] == "" {
			continue
		}
		n := strings.Count(text, r[0])
		if n > 0 && len(text)+n*(len(r[1])-len(r[0])) > bcc.MaxSource {
			return nil, fmt.Errorf("%s: the BPF program is more than 1 MiB once %q is replaced by %q", s.Name, clip(r[0]), clip(r[1]))
		}
		text = strings.ReplaceAll(text, r[0], r[1])
	}
	return []byte(text), nil
}

// Source is Substitute for callers that cannot take an error: when the
// program would grow past 1 MiB it returns its first 1 MiB and a byte,
// which bcc.Translate refuses, naming the limit.
func (s *Script) Source(c []byte) []byte {
	text, err := s.Substitute(c)
	if err == nil {
		return text
	}
	t := string(c)
	for _, r := range s.Replace {
		if r[0] != "" {
			t = replaceUpTo(t, r[0], r[1], bcc.MaxSource+1)
		}
	}
	return []byte(t)
}

// replaceUpTo is strings.ReplaceAll cut at limit bytes, without building
// more than limit and one replacement.
func replaceUpTo(text, old, new string, limit int) string {
	var b strings.Builder
	for b.Len() < limit {
		i := strings.Index(text, old)
		if i < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:i])
		b.WriteString(new)
		text = text[i+len(old):]
	}
	out := b.String()
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// The reader's limits. A real script is tens of kilobytes, nests a few
// levels deep and is read in milliseconds; these only stop scripts built
// to make the reader hang or take all memory.
const (
	// MaxScript is the longest script read, and the longest string it
	// may build (by concatenation).
	MaxScript = 1 << 20
	// MaxDepth is how deep brackets, blocks and expressions may nest.
	MaxDepth = 200
	// MaxWork bounds what reading costs beyond reading each statement
	// once, in bytes: each statement read (its length and stmtCost, again
	// at each call of the function holding it) and each use of a string
	// variable count.
	MaxWork = 32 << 20
	// stmtCost is what reading a statement costs besides its bytes.
	stmtCost = 256
)

type reader struct {
	s       *Script
	arch    string
	strs    map[string]string // string variables
	nums    map[string]float64
	bpf     map[string]bool   // variables holding BPF objects
	tables  map[string]string // variables holding b["map"]
	funcs   map[string]*stmt
	repl    map[string][]*string // placeholder -> literal candidates (nil: not literal)
	replOrd []string
	outputs map[string]*runplan.Output // by map ("" for trace_pipe)
	outOrd  []string
	started bool // a loop or a blocking call was seen: later prints are not headers
	// pending are literal prints made once tracing started: the column
	// titles of the items() loop that follows them, if one does.
	pending       []pendingPrint
	heads         []pendingPrint // pending prints, while the for loop after them is read
	argv          bool
	inFunc        map[string]bool // script functions being read (no recursion)
	err           error           // an error met inside a function's body
	loopSleep     time.Duration   // the last sleep() in a loop
	loopSleepNote int             // its line when its duration is not a literal
	// traceFields maps the names a script gives trace_fields()'s values
	// ("(task, pid, cpu, flags, ts, msg) = b.trace_fields()") to the fields.
	traceFields map[string]string
	loopVals    map[string]runplan.PrintArg // names assigned from them in the loop
	firsts      map[string]bool             // names holding the first line's value
	work        int                         // spent so far, against budget
	budget      int                         // MaxWork and the cost of reading each statement once

	args         []string                    // the script's arguments (sys.argv[1:])
	kernel       *Kernel                     // the kernel's answers, nil when unknown
	argvName     bool                        // "from sys import argv"
	vals         map[string]value            // variables holding None, a bool or a list
	parsers      map[string]*argParser       // argparse.ArgumentParser variables (and their groups)
	namespaces   map[string]map[string]value // parse_args() results, by dest
	parsed       bool                        // parse_args() was read
	loaded       map[string]string           // variables holding a load_func's result: the function
	guessed      map[string]bool             // numbers the script computed since: printed, not evaluated
	sysctl       map[string]string           // the /proc/sys files the script reads
	structFields map[string]bool             // kernel_struct_has_field's answers
	usdt         map[string]*usdtContext     // variables holding USDT(...) contexts
	usdtOrder    []string
}

type pendingPrint struct {
	text string
	line int
}

func (r *reader) traceEnv() *env {
	return &env{fields: r.traceFields, resolved: r.loopVals, firsts: r.firsts, locals: map[string]*node{}}
}

// Read reads a script, as run without arguments on a kernel whose
// answers are unknown. name is its file name (for messages and to find
// src_file relative to it).
func Read(py []byte, name string) (*Script, error) {
	return ReadWith(py, name, Options{})
}

// ReadWith reads a script given its arguments and the kernel's answers.
func ReadWith(py []byte, name string, opts Options) (*Script, error) {
	s, err := read(py, name, opts)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), "\n", `\n`))
	}
	return s, nil
}

func read(py []byte, name string, opts Options) (*Script, error) {
	if len(py) > MaxScript {
		return nil, fmt.Errorf("%s: %d bytes: ebpf-hello reads scripts of at most 1 MiB", filepath.Base(name), len(py))
	}
	lines, err := lexLines(string(py))
	if err != nil {
		return nil, fmt.Errorf("%s:%w", filepath.Base(name), err)
	}
	stmts, err := nest(lines)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", filepath.Base(name), err)
	}
	r := &reader{
		s:    &Script{Name: filepath.Base(name)},
		arch: cmp.Or(opts.Arch, runtime.GOARCH),
		strs: map[string]string{}, nums: map[string]float64{}, bpf: map[string]bool{},
		tables: map[string]string{}, funcs: map[string]*stmt{}, repl: map[string][]*string{},
		usdt: map[string]*usdtContext{}, sysctl: opts.Sysctl, structFields: opts.StructFields,
		outputs:  map[string]*runplan.Output{},
		loopVals: map[string]runplan.PrintArg{}, firsts: map[string]bool{}, inFunc: map[string]bool{},
		args: opts.Args, kernel: opts.Kernel,
		vals: map[string]value{}, parsers: map[string]*argParser{}, namespaces: map[string]map[string]value{},
		loaded: map[string]string{}, guessed: map[string]bool{},
	}
	r.budget = MaxWork
	for _, l := range lines {
		r.budget += l.size + stmtCost
	}
	err = r.block(stmts, false)
	if err == nil {
		err = r.err
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%w", r.s.Name, err)
	}
	if r.s.SourceFile == "" && r.s.Text == nil {
		return nil, fmt.Errorf("%s: no BPF(src_file=...) or BPF(text=...) found: is it a BCC script?", r.s.Name)
	}
	r.finish()
	return r.s, nil
}

// note says what the reader cannot follow. Texts it quotes are cut short:
// a long string named in a line read many times must not fill memory.
func (r *reader) note(line int, format string, args ...any) {
	for k, a := range args {
		switch v := a.(type) {
		case string:
			args[k] = clip(v)
		case error:
			args[k] = clip(v.Error())
		}
	}
	r.s.Plan.Notes = append(r.s.Plan.Notes, fmt.Sprintf("%s:%d: %s", r.s.Name, line, fmt.Sprintf(format, args...)))
}

// clip cuts a text quoted in a note or an error to 80 bytes.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// fail records the first error that ends the reading; block returns it
// once the statement being read is done.
func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// spend counts n bytes of work done for line, failing past the budget.
func (r *reader) spend(line, n int) error {
	if r.err == nil {
		if r.work += n; r.work > r.budget {
			r.fail(fmt.Errorf("%d: too much to read: the script's statements, read again at each call of their function, and the strings it uses add up to %d MiB more than the script", line, MaxWork>>20))
		}
	}
	return r.err
}

// parse parses an expression; one nested too deep ends the reading.
func (r *reader) parse(toks []ptok) (*node, error) {
	n, err := parseExpr(toks)
	var deep *tooDeep
	if errors.As(err, &deep) {
		r.fail(fmt.Errorf("%d: an expression nested more than %d deep", deep.line, MaxDepth))
	}
	return n, err
}

func (r *reader) block(stmts []*stmt, inLoop bool) error {
	for k := 0; k < len(stmts); k++ {
		st := stmts[k]
		if st.toks[0].kind == tName && st.toks[0].text == "if" {
			end := k + 1
			for end < len(stmts) && (stmts[end].toks[0].text == "elif" || stmts[end].toks[0].text == "else") {
				end++
			}
			if err := r.ifChain(stmts[k:end], inLoop); err != nil {
				return err
			}
			if r.err != nil {
				return r.err
			}
			k = end - 1
			continue
		}
		err := r.stmt(st, inLoop)
		if r.err != nil { // a limit, or an error in a function's body: first
			return r.err
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// kernelCheck: an if on what the kernel has (BPF.get_kprobe_functions,
// BPF.ksymname, BPF.tracepoint_exists, BPF.support_*).
func kernelCheck(toks []ptok) bool {
	for _, t := range toks {
		switch t.text {
		case "get_kprobe_functions", "ksymname", "ksym", "tracepoint_exists", "support_raw_tracepoint",
			"support_kfunc", "support_lsm", "support_raw_tracepoint_in_module":
			return true
		}
	}
	return false
}

// alternatives reads an if/elif/else on what the kernel has: the first
// branch's attaches come first, the other branches' become their
// fallbacks; without an else they are optional.
func (r *reader) alternatives(branches []*stmt, inLoop bool) error {
	var groups [][]runplan.Attach
	for _, b := range branches {
		before := len(r.s.Attach)
		if err := r.block(b.body, inLoop); err != nil {
			return err
		}
		groups = append(groups, append([]runplan.Attach(nil), r.s.Attach[before:]...))
		r.s.Attach = r.s.Attach[:before]
	}
	hasElse := branches[len(branches)-1].toks[0].text == "else"
	first := groups[0]
	if len(first) == 0 { // "if not BPF.get_kprobe_functions(...)": take the else side
		for _, g := range groups[1:] {
			if len(g) > 0 {
				first, hasElse = g, false
				break
			}
		}
	}
	others := 0
	for _, g := range groups[1:] {
		others += len(g)
	}
	for _, a := range first {
		// each attach of a program in the first branch falls back to the
		// next branch's attaches of it, which fall back to the next one's:
		// tried in the order BCC would take them, one branch at a time
		if err := r.spend(branches[0].line, stmtCost*max(1, others)); err != nil {
			return err
		}
		var next []runplan.Attach
		for i := len(groups) - 1; i >= 1; i-- {
			var mine []runplan.Attach
			for _, b := range groups[i] {
				if b.Program == a.Program && b.Target != a.Target {
					mine = append(mine, b)
				}
			}
			switch {
			case len(mine) == 1:
				mine[0].Fallback = next
				next = mine
			case len(mine) > 1: // several hooks of one branch: attached together
				if next != nil {
					r.note(branches[i].line, "a branch that attaches %s at several hooks cannot fall back further: the branches after it are not tried", a.Program)
				}
				next = mine
			}
		}
		a.Fallback = next
		a.Optional = !hasElse
		r.s.Attach = append(r.s.Attach, a)
	}
	return nil
}

func (r *reader) stmt(st *stmt, inLoop bool) error {
	if err := r.spend(st.line, st.size+stmtCost); err != nil {
		return err
	}
	head := st.toks[0].text
	if head == "except" && r.exits(st.body) {
		return nil // an error path: the script stops there
	}
	if head != "print" && head != "printb" && len(r.pending) > 0 {
		// prints not followed by an items() loop: not reproduced
		pending := r.pending
		r.pending = nil
		defer func() {
			for _, p := range pending {
				r.note(p.line, "this print is not reproduced")
			}
		}()
		if head == "for" {
			r.heads = pending
			defer func() {
				if r.heads == nil {
					pending = nil // they became the loop's Head
				}
				r.heads = nil
			}()
		}
	}
	if st.toks[0].kind == tName {
		switch head {
		case "def":
			if len(st.toks) > 1 {
				r.funcs[st.toks[1].text] = st
			}
			return nil
		case "class":
			return nil
		case "import", "from":
			for k, t := range st.toks {
				if t.text == "argparse" {
					r.argv = true
				}
				if head == "from" && k > 2 && t.text == "argv" && st.toks[1].text == "sys" {
					r.argvName = true
				}
			}
			return nil
		case "while", "for":
			if head == "for" && !inLoop {
				if done, err := r.setupLoop(st, inLoop); done || err != nil {
					return err
				}
			}
			r.started = true
			if !inLoop {
				r.loopSleep, r.loopSleepNote = 0, 0
			}
			if head == "for" && r.forItems(st, inLoop) {
				return nil // the loop prints a map: its print is the output's
			}
			// what the loop changes is not known from one reading of it
			for _, name := range assignedNames(st.body) {
				r.guessed[name] = true
			}
			return r.block(st.body, true)
		case "if", "elif", "else", "try", "except", "finally", "with":
			if head == "except" && len(st.toks) > 1 && st.toks[1].text == "KeyboardInterrupt" {
				return nil // what a script does on Ctrl-C: run ends by itself
			}
			return r.block(st.body, inLoop)
		case "global", "pass", "continue", "break", "return", "del", "assert", "raise", "nonlocal":
			return nil
		}
	}
	// assignment?
	if k := topLevel(st.toks, "="); k > 0 {
		return r.assign(st, st.toks[:k], st.toks[k+1:], inLoop)
	}
	if k := topLevel(st.toks, "+="); k > 0 && k == 1 && st.toks[0].kind == tName {
		v, err := r.parse(st.toks[k+1:])
		if err == nil {
			if s, ok := r.str(v); ok {
				name := st.toks[0].text
				if r.longer(st.line, len(r.strs[name])+len(s)) {
					return r.err
				}
				r.strs[name] += s
				return nil
			}
		}
		delete(r.strs, st.toks[0].text)
		r.guessed[st.toks[0].text] = true // a number it held is a guess now
		return nil
	}
	n, err := r.parse(st.toks)
	if err != nil {
		r.note(st.line, "cannot read this line; ignored")
		return nil
	}
	r.expr(n, st, inLoop)
	return nil
}

// flushPending: prints waiting for an items() loop that do not get one
// are not reproduced.
func (r *reader) flushPending() {
	for _, p := range r.pending {
		r.note(p.line, "this print is not reproduced")
	}
	r.pending = nil
}

// topLevel finds op outside brackets, or -1.
func topLevel(toks []ptok, op string) int {
	depth := 0
	for k, t := range toks {
		if t.kind != tOp {
			if t.kind == tName && t.text == "lambda" && depth == 0 {
				return -1
			}
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case op:
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

func (r *reader) assign(st *stmt, lhs, rhs []ptok, inLoop bool) error {
	v, err := r.parse(rhs)
	if err != nil {
		r.note(st.line, "cannot read this assignment; ignored")
		return nil
	}
	target := ""
	if len(lhs) == 1 && lhs[0].kind == tName {
		target = lhs[0].text
	}
	// b["config"][ct.c_int(0)] = ct.c_int(1)
	if l, err := r.parse(lhs); err == nil && l.kind == "index" {
		if m := r.table(l.x); m != "" {
			r.mapWrite(m, l.y, v, st.line, inLoop)
			return nil
		}
	}
	// fn = b.load_func("name", BPF.KPROBE)
	if target != "" && v.kind == "call" && v.x.kind == "attr" && v.x.text == "load_func" && v.x.x.kind == "name" && r.bpf[v.x.x.text] {
		if name, ok := r.loadFunc(v, st.line); ok {
			r.loaded[target] = name
		}
		return nil
	}
	// in a trace_fields loop: "start = ts", "ts = ts - start"
	if r.traceFields != nil && inLoop && target != "" {
		if first, ok := r.nums[target]; ok && first == 0 && v.kind == "name" && r.traceFields[v.text] != "" {
			r.firsts[target] = true
			return nil
		}
		if a, err := r.traceEnv().arg(v, r); err == nil {
			r.loopVals[target] = a
			return nil
		}
		delete(r.loopVals, target)
	}
	// (task, pid, cpu, flags, ts, msg) = b.trace_fields()
	if v.kind == "call" && v.x.kind == "attr" && v.x.text == "trace_fields" {
		names, err := r.parse(lhs)
		if err != nil || names.kind != "tuple" {
			r.note(st.line, "cannot read trace_fields()'s names; run prints trace lines its own way")
			return nil
		}
		r.traceFields = map[string]string{}
		fields := []string{"task", "pid", "cpu", "flags", "ts", "msg"}
		for k, a := range names.args {
			if a.kind == "name" && k < len(fields) {
				r.traceFields[a.text] = fields[k]
			}
		}
		o := r.output("", runplan.Output{Kind: runplan.TracePipe, Format: "fields"})
		o.Format = "fields"
		r.started = true
		return nil
	}
	// u = USDT(pid=N)
	if target != "" && isUSDTCall(v) {
		u, err := r.newUSDT(v)
		if err != nil {
			return err
		}
		if r.usdt[target] == nil {
			r.usdtOrder = append(r.usdtOrder, target)
		}
		r.usdt[target] = u
		return nil
	}
	// b = BPF(...)
	if isBPFCall(v) {
		if err := r.bpfCall(v); err != nil {
			return err
		}
		if target != "" {
			r.bpf[target] = true
		}
		return nil
	}
	// dist = b["dist"] / b.get_table("dist")
	if m := r.table(v); m != "" && target != "" {
		r.tables[target] = m
		return nil
	}
	if target != "" && v.kind == "call" {
		// parser = argparse.ArgumentParser(...), its groups, parse_args()
		switch fn := v.x.dotted(); {
		case fn == "argparse.ArgumentParser" || fn == "ArgumentParser":
			p := &argParser{}
			if h := v.kwargs["add_help"]; h == nil || h.kind != "name" || h.text != "False" {
				p.opts = append(p.opts, &argOpt{flags: []string{"-h", "--help"}, action: "help"})
			}
			r.parsers[target] = p
			return nil
		case v.x.kind == "attr" && v.x.x.kind == "name" && r.parsers[v.x.x.text] != nil:
			p := r.parsers[v.x.x.text]
			switch v.x.text {
			case "add_mutually_exclusive_group", "add_argument_group":
				r.parsers[target] = p
			case "parse_args":
				if len(v.args) > 0 {
					r.note(st.line, "parse_args() of a list the script makes: its options are not known")
					return nil
				}
				ns, err := r.parseArgs(p, st.line)
				if err != nil {
					return fmt.Errorf("%d: the script's arguments %s: %w", st.line, strings.Join(r.args, " "), err)
				}
				r.namespaces[target] = ns
				r.parsed = true
			}
			return nil
		}
	}
	// text = text.replace("X", ...)
	if target != "" {
		if !inLoop { // in a loop, a value is the first iteration's at best
			delete(r.guessed, target)
		}
		if s, ok := r.replaceChain(v, st.line); ok {
			r.strs[target] = s
			return nil
		}
		if s, ok := r.str(v); ok {
			r.strs[target] = s
			return nil
		}
		if f, ok := r.num(v); ok {
			r.nums[target] = f
			delete(r.vals, target)
			return nil
		}
		delete(r.strs, target)
		delete(r.vals, target)
		if x, ok := r.eval(v); ok && x.kind != vStr && x.kind != vNum {
			r.vals[target] = x
			delete(r.nums, target)
			return nil
		}
		// a number it held stays for prints ("%-*s" % (pid_bytes, ...)
		// after the script measures pid_max), but is no longer a fact
		r.guessed[target] = true
	}
	r.expr(v, st, false)
	return nil
}

// replaceChain evaluates X.replace(A, B)... recording each placeholder.
func (r *reader) replaceChain(n *node, line int) (string, bool) {
	if n.kind != "call" || n.x.kind != "attr" || n.x.text != "replace" || len(n.args) < 2 {
		return "", false
	}
	base, ok := r.replaceChain(n.x.x, line)
	if !ok {
		base, ok = r.str(n.x.x)
		if !ok {
			return "", false
		}
	}
	old, ok := r.str(n.args[0])
	if !ok || old == "" {
		r.note(line, "a text substitution with a computed placeholder; ignored")
		return base, true
	}
	if _, seen := r.repl[old]; !seen {
		r.replOrd = append(r.replOrd, old)
	}
	if v, ok := r.str(n.args[1]); ok {
		r.repl[old] = append(r.repl[old], &v)
	} else {
		r.repl[old] = append(r.repl[old], nil)
	}
	return base, true
}

// str evaluates a string expression made of literals and known variables.
// Each use of a variable is work (it may be long, and what the script does
// with it costs as much); a string longer than MaxScript ends the reading.
func (r *reader) str(n *node) (string, bool) {
	switch n.kind {
	case "str":
		return n.text, true
	case "name":
		s, ok := r.strs[n.text]
		if ok && r.spend(n.line, len(s)) != nil {
			return "", false
		}
		return s, ok
	case "binop":
		if n.text == "+" {
			a, ok := r.str(n.x)
			if !ok {
				return "", false
			}
			b, ok := r.str(n.y)
			if !ok || r.longer(n.line, len(a)+len(b)) {
				return "", false
			}
			return a + b, true
		}
	case "call":
		switch {
		case n.x.kind == "attr" && (n.x.text == "encode" || n.x.text == "decode" || n.x.text == "strip"):
			return r.str(n.x.x)
		case (n.x.dotted() == "filter_by_containers" || n.x.dotted() == "containers.filter_by_containers") && len(n.args) == 1:
			return r.containerFilter(n)
		case n.x.kind == "attr" && n.x.text == "get_syscall_prefix" && len(n.args) == 0:
			return bcc.SyscallPrefix(r.arch), true
		case n.x.kind == "attr" && n.x.text == "get_syscall_fnname" && len(n.args) == 1:
			if s, ok := r.str(n.args[0]); ok {
				return bcc.SyscallPrefix(r.arch) + s, true
			}
			return "", false
		case n.x.kind == "attr" && n.x.text == "read" && len(n.args) == 0:
			// open("/proc/sys/...").read(): evaluated below
		case n.x.kind == "attr":
			return "", false // a method the reader does not follow
		}
	}
	// args.lib, sys.argv[1], "%d" % args.pid, str(...), x if c else y
	if v, ok := r.eval(n); ok && v.kind == vStr {
		return v.s, true
	}
	return "", false
}

// longer fails, and says so, when the script builds a string of n bytes,
// more than MaxScript; the string's bytes are work.
func (r *reader) longer(line, n int) bool {
	if n > MaxScript {
		r.fail(fmt.Errorf("%d: the script builds a string longer than 1 MiB", line))
		return true
	}
	return r.spend(line, n) != nil
}

func (r *reader) num(n *node) (float64, bool) {
	switch n.kind {
	case "num":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.text, "_", ""), 64)
		if err != nil {
			if i, err := strconv.ParseInt(n.text, 0, 64); err == nil {
				return float64(i), true
			}
		}
		return f, err == nil
	case "name":
		f, ok := r.nums[n.text]
		return f, ok
	case "unary":
		if n.text == "-" {
			f, ok := r.num(n.x)
			return -f, ok
		}
	case "call":
		if (n.x.dotted() == "int" || n.x.dotted() == "float") && len(n.args) == 1 {
			if f, ok := r.num(n.args[0]); ok {
				return f, true
			}
		}
	case "binop":
		a, ok1 := r.num(n.x)
		b, ok2 := r.num(n.y)
		if ok1 && ok2 {
			switch n.text {
			case "+":
				return a + b, true
			case "-":
				return a - b, true
			case "*":
				return a * b, true
			case "/":
				if b != 0 {
					return a / b, true
				}
			}
		}
	}
	switch n.kind { // args.interval, len(sys.argv), int(sys.argv[1])
	case "attr", "index", "call", "other":
		if v, ok := r.eval(n); ok && v.kind == vNum {
			return v.f, true
		}
	}
	return 0, false
}

// table names the map of b["x"], b[b"x"], b.get_table("x") or a variable
// holding one; "" otherwise.
func (r *reader) table(n *node) string {
	switch n.kind {
	case "name":
		m := r.tables[n.text]
		if m != "" && r.spend(n.line, len(m)) != nil {
			return ""
		}
		return m
	case "index":
		if n.x.kind == "name" && r.bpf[n.x.text] {
			if s, ok := r.str(n.y); ok {
				return s
			}
		}
	case "call":
		if n.x.kind == "attr" && n.x.text == "get_table" && n.x.x.kind == "name" && r.bpf[n.x.x.text] && len(n.args) > 0 {
			if s, ok := r.str(n.args[0]); ok {
				return s
			}
		}
	}
	return ""
}

func (r *reader) bpfCall(n *node) error {
	if t := n.kwargs["text"]; t != nil || len(n.args) > 0 && n.kwargs["src_file"] == nil {
		if t == nil {
			t = n.args[0]
		}
		s, ok := r.replaceChain(t, n.line) // BPF(text=prog.replace("X", y))
		if !ok {
			s, ok = r.str(t)
		}
		if !ok {
			return fmt.Errorf("%d: the BPF program's text is computed by the script (not a literal): save it to a .c file and run that", n.line)
		}
		r.s.Text = []byte(s)
	}
	if f := n.kwargs["src_file"]; f != nil {
		s, ok := r.str(f)
		if !ok {
			return fmt.Errorf("%d: BPF(src_file=...) is computed by the script: pass the file with --src", n.line)
		}
		r.s.SourceFile = s
	}
	if n.kwargs["usdt_contexts"] != nil {
		r.usdtAttach()
	}
	if c := n.kwargs["cflags"]; c != nil {
		r.cflags(c, n.line)
	}
	return nil
}

// containerFilter is bcc.containers' filter_by_containers(args): BPF C
// defining container_should_be_filtered(), which BCC's tools call first.
// Without --cgroupmap or --mntnsmap (pinned maps of the cgroups or mount
// namespaces to trace) it filters nothing; with them, run cannot follow.
func (r *reader) containerFilter(n *node) (string, bool) {
	for _, opt := range []string{"cgroupmap", "mntnsmap"} {
		v, ok := r.eval(&node{kind: "attr", text: opt, x: n.args[0], line: n.line})
		if !ok || v.truth() {
			r.note(n.line, "filter_by_containers with --%s (a pinned map of what to trace) is not supported", opt)
			return "", false
		}
	}
	return "\n/* bcc.containers' filter_by_containers(args), no map given: nothing is filtered */\nstatic inline int container_should_be_filtered(void) { return 0; }\n", true
}

// cflags reads BPF(cflags=["-DMAX_PID=%d" % n, ...]): its -D options
// become the program's #defines; other flags are noted and left out.
func (r *reader) cflags(c *node, line int) {
	v, ok := r.eval(c)
	if !ok || v.kind != vList {
		r.note(line, "BPF(cflags=...) is computed by the script: ignored")
		return
	}
	for _, f := range v.l {
		def, isDefine := strings.CutPrefix(f, "-D")
		name, _, _ := strings.Cut(def, "=")
		if !isDefine || !isIdent(name) || strings.ContainsAny(def, "\n\r\\") {
			r.note(line, "BPF(cflags=...): %q is ignored (only -DNAME[=VALUE] is used)", f)
			continue
		}
		r.s.Defines = append(r.s.Defines, def)
	}
}

// isIdent: a C identifier.
func isIdent(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// bindParams gives a script function's parameters the values of a call's
// arguments (positional, then by keyword, then the defaults), as long as
// its body is read: try_attach_syscall_probes("stat") attaches stat's
// probes. It returns what puts the names back as they were.
func (r *reader) bindParams(def *stmt, call *node) (restore func()) {
	params := paramNames(def.toks)
	type saved struct {
		s      string
		f      float64
		v      value
		hs, hf bool
		hv, hg bool
	}
	old := map[string]saved{}
	for _, p := range params {
		var sv saved
		sv.s, sv.hs = r.strs[p.name]
		sv.f, sv.hf = r.nums[p.name]
		sv.v, sv.hv = r.vals[p.name]
		sv.hg = r.guessed[p.name]
		old[p.name] = sv
	}
	for k, p := range params {
		arg := call.kwargs[p.name]
		if arg == nil && k < len(call.args) {
			arg = call.args[k]
		}
		if arg == nil {
			arg = p.def
		}
		delete(r.strs, p.name)
		delete(r.nums, p.name)
		delete(r.vals, p.name)
		r.guessed[p.name] = true // unknown unless the argument is
		if arg == nil {
			continue
		}
		if v, ok := r.eval(arg); ok {
			delete(r.guessed, p.name)
			switch v.kind {
			case vStr:
				r.strs[p.name] = v.s
			case vNum:
				r.nums[p.name] = v.f
			default:
				r.vals[p.name] = v
			}
		}
	}
	return func() {
		for name, sv := range old {
			delete(r.strs, name)
			delete(r.nums, name)
			delete(r.vals, name)
			delete(r.guessed, name)
			if sv.hs {
				r.strs[name] = sv.s
			}
			if sv.hf {
				r.nums[name] = sv.f
			}
			if sv.hv {
				r.vals[name] = sv.v
			}
			if sv.hg {
				r.guessed[name] = true
			}
		}
	}
}

// param is a def's parameter and its default value, if any.
type param struct {
	name string
	def  *node
}

// paramNames reads "def name(a, b=1, *args, **kw):"'s plain parameters.
func paramNames(toks []ptok) []param {
	if len(toks) < 4 || toks[2].text != "(" {
		return nil
	}
	var out []param
	depth, start := 0, 3
	flush := func(end int) {
		part := toks[start:end]
		if len(part) == 0 || part[0].kind != tName || part[0].text == "self" {
			return
		}
		p := param{name: part[0].text}
		if len(part) > 2 && part[1].text == "=" {
			p.def, _ = parseExpr(part[2:])
		}
		out = append(out, p)
	}
	for k := 3; k < len(toks); k++ {
		switch t := toks[k]; {
		case t.kind != tOp:
		case t.text == "(" || t.text == "[" || t.text == "{":
			depth++
		case (t.text == ")" || t.text == "]" || t.text == "}") && depth > 0:
			depth--
		case t.text == ")":
			flush(k)
			return out
		case t.text == "," && depth == 0:
			flush(k)
			start = k + 1
		}
	}
	return out
}

// isBPFCall: BPF(...) or bcc.BPF(...).
func isBPFCall(n *node) bool {
	return n.kind == "call" && (n.x.dotted() == "BPF" || n.x.dotted() == "bcc.BPF")
}

// expr handles an expression statement: the calls a BCC script makes.
func (r *reader) expr(n *node, st *stmt, inLoop bool) {
	if n.kind != "call" {
		return
	}
	fn := n.x
	if fn.kind == "name" {
		switch fn.text {
		case "print", "printb":
			r.topPrint(n, st, inLoop)
		case "sleep":
			r.sleep(n, inLoop)
		case "exit":
		default:
			// the script's own function, e.g. main(): read its body in place
			if def := r.funcs[fn.text]; def != nil && !r.inFunc[fn.text] && len(r.inFunc) < 8 {
				r.inFunc[fn.text] = true
				restore := r.bindParams(def, n)
				err := r.block(def.body, inLoop)
				restore()
				delete(r.inFunc, fn.text)
				if err != nil {
					r.err = err
				}
			}
		}
		return
	}
	if fn.kind != "attr" {
		return
	}
	method := fn.text
	if fn.dotted() == "time.sleep" {
		r.sleep(n, inLoop)
		return
	}
	if fn.x.kind == "name" && r.bpf[fn.x.text] {
		r.bpfMethod(method, n, st)
		return
	}
	if fn.x.kind == "name" && r.usdt[fn.x.text] != nil {
		r.usdtMethod(r.usdt[fn.x.text], method, n)
		return
	}
	if fn.x.kind == "name" && r.parsers[fn.x.text] != nil {
		if method == "add_argument" {
			r.addArgument(r.parsers[fn.x.text], n)
		}
		return
	}
	// BPF(text=...).trace_print(): the object is used once, never named
	if isBPFCall(fn.x) {
		if err := r.bpfCall(fn.x); err != nil {
			r.fail(err)
			return
		}
		r.bpfMethod(method, n, st)
		return
	}
	if m := r.table(fn.x); m != "" {
		r.tableMethod(m, method, n, st, inLoop)
	}
}

func (r *reader) kw(n *node, key string, pos int) *node {
	if v := n.kwargs[key]; v != nil {
		return v
	}
	if pos >= 0 && pos < len(n.args) {
		return n.args[pos]
	}
	return nil
}

func (r *reader) strArg(n *node, key string, pos int) (string, bool) {
	v := r.kw(n, key, pos)
	if v == nil {
		return "", false
	}
	return r.str(v)
}

func (r *reader) bpfMethod(method string, n *node, st *stmt) {
	kinds := map[string]runplan.AttachKind{
		"attach_kprobe": runplan.Kprobe, "attach_kretprobe": runplan.Kretprobe,
		"attach_tracepoint": runplan.Tracepoint, "attach_raw_tracepoint": runplan.RawTracepoint,
		"attach_uprobe": runplan.Uprobe, "attach_uretprobe": runplan.Uretprobe,
	}
	switch method {
	case "attach_kprobe", "attach_kretprobe", "attach_tracepoint", "attach_raw_tracepoint", "attach_uprobe", "attach_uretprobe":
		kind := kinds[method]
		fn, ok := r.strArg(n, "fn_name", -1)
		if !ok {
			r.note(st.line, "%s without a literal fn_name: not attached", method)
			return
		}
		var target string
		switch kind {
		case runplan.Kprobe, runplan.Kretprobe:
			if n.kwargs["event_re"] != nil {
				re, _ := r.str(n.kwargs["event_re"])
				if r.regexAttach(kind, re, fn, st.line) {
					return
				}
				target, ok = plainFunction(re)
				if !ok {
					r.note(st.line, "%s(event_re=%q) is not supported: name the function with --%s EVENT=%s", method, re, kind, fn)
					return
				}
				r.note(st.line, "%s(event_re=%q) attaches to %s (and its compiler-renamed copies such as %s.isra.0)", method, re, target, target)
				break
			}
			target, ok = r.strArg(n, "event", 0)
		case runplan.Tracepoint, runplan.RawTracepoint:
			target, ok = r.strArg(n, "tp", 0)
		default:
			lib, ok1 := r.strArg(n, "name", 0)
			sym, ok2 := r.strArg(n, "sym", 1)
			target, ok = lib+":"+sym, ok1 && ok2
			if n.kwargs["pid"] != nil {
				r.note(st.line, "%s(pid=...) is ignored: every process is traced", method)
			}
			if n.kwargs["addr"] != nil || n.kwargs["sym_re"] != nil {
				r.note(st.line, "%s by address or regex is not supported", method)
				return
			}
		}
		if !ok || target == "" {
			r.note(st.line, "%s: cannot read where %s attaches (computed by the script): pass it as a flag, e.g. --%s EVENT=%s", method, fn, strings.ReplaceAll(string(kind), "_", "-"), fn)
			return
		}
		var err error
		switch kind { // these names go into tracefs paths
		case runplan.Tracepoint:
			err = runplan.ValidTracepointTarget(target)
		case runplan.RawTracepoint:
			err = runplan.ValidRawTracepoint(target)
		}
		if err != nil {
			r.fail(fmt.Errorf("%d: %s: %w", st.line, method, err))
			return
		}
		r.s.Attach = append(r.s.Attach, runplan.Attach{Program: fn, Kind: kind, Target: target})
	case "attach_perf_event":
		r.perfEvent(n, st.line)
	case "trace_print":
		r.output("", runplan.Output{Kind: runplan.TracePipe, Format: "raw"})
		if n.kwargs["fmt"] != nil {
			r.note(st.line, "trace_print(fmt=...) is ignored: lines are printed whole")
		}
		r.started = true
	case "trace_fields", "perf_buffer_poll", "ring_buffer_poll", "ring_buffer_consume", "kprobe_poll", "detach_kprobe", "detach_kretprobe", "cleanup":
	case "get_syscall_fnname", "get_syscall_prefix", "num_open_kprobes", "ksym", "sym", "ksymname":
	case "load_func":
		r.loadFunc(n, st.line)
	default:
		r.note(st.line, "%s() is not understood; ignored", method)
	}
}

// perfEvent reads b.attach_perf_event(ev_type=PerfType.SOFTWARE,
// ev_config=PerfSWConfig.CPU_CLOCK, fn_name=..., sample_freq=N): a
// profiler's sampling, which run does with a cpu-clock event on every CPU.
// Other events (hardware counters) are not attached, in a note: a script
// that tries one falls back to cpu-clock in its except branch.
func (r *reader) perfEvent(n *node, line int) {
	fn, ok := r.strArg(n, "fn_name", 2)
	if !ok {
		r.note(line, "attach_perf_event without a literal fn_name: not attached")
		return
	}
	evType, evConfig := r.kw(n, "ev_type", 0).dotted(), r.kw(n, "ev_config", 1).dotted()
	switch {
	case !strings.HasSuffix(evType, "SOFTWARE") || !strings.HasSuffix(evConfig, "CPU_CLOCK") && !strings.HasSuffix(evConfig, "TASK_CLOCK"):
		r.note(line, "attach_perf_event(%s, %s): run samples only the cpu-clock software event; not attached", evType, evConfig)
		return
	case strings.HasSuffix(evConfig, "TASK_CLOCK"):
		r.note(line, "attach_perf_event(%s): sampled with the cpu-clock event on every CPU (the same clock, counted per CPU)", evConfig)
	}
	target := ""
	if v := r.kw(n, "sample_freq", 4); v != nil {
		if f, ok := r.num(v); ok && f >= 1 && f <= 100000 {
			target = strconv.Itoa(int(f))
		} else if ok && f != 0 {
			r.note(line, "attach_perf_event(sample_freq=%v): out of 1..100000 Hz; sampled at run's --freq", f)
		}
	}
	if v := r.kw(n, "sample_period", 3); v != nil && target == "" {
		if f, ok := r.num(v); !ok || f != 0 {
			r.note(line, "attach_perf_event(sample_period=...) is sampled by frequency instead (run's --freq)")
		}
	}
	if v := n.kwargs["cpu"]; v != nil {
		if f, ok := r.num(v); !ok || f >= 0 {
			r.note(line, "attach_perf_event(cpu=...): every CPU is sampled")
		}
	}
	a := runplan.Attach{Program: fn, Kind: runplan.PerfEvent, Target: target}
	if !slices.ContainsFunc(r.s.Attach, func(b runplan.Attach) bool {
		return b.Program == a.Program && b.Kind == a.Kind && b.Target == a.Target
	}) {
		r.s.Attach = append(r.s.Attach, a)
	}
}

// maxRegexTargets bounds what one event_re attaches to (BCC refuses more
// than 1000 kprobes at once too).
const maxRegexTargets = 1000

// regexAttach attaches fn to every kernel function event_re matches, as
// BCC does, when this kernel's probeable functions are known; false
// leaves the caller to take the regex's first plain name.
func (r *reader) regexAttach(kind runplan.AttachKind, re, fn string, line int) bool {
	if r.kernel == nil || len(r.kernel.FilterFunctions) == 0 {
		return false
	}
	if r.spend(line, len(r.kernel.FilterFunctions)) != nil {
		return true
	}
	fns, err := r.kernel.kprobeFunctions(re)
	if err != nil {
		r.note(line, "event_re=%q: a regular expression Go's regexp does not take (%v)", re, err)
		return false
	}
	switch {
	case len(fns) == 0:
		r.note(line, "event_re=%q matches no function this kernel can probe: %s not attached", re, fn)
		return true
	case len(fns) > maxRegexTargets:
		r.fail(fmt.Errorf("%d: event_re=%q matches %d functions: at most %d are attached at once (narrow it)", line, re, len(fns), maxRegexTargets))
		return true
	}
	for _, f := range fns {
		r.s.Attach = append(r.s.Attach, runplan.Attach{Program: fn, Kind: kind, Target: f})
	}
	r.note(line, "event_re=%q: %s attached to the %d functions it matches here", re, fn, len(fns))
	return true
}

// plainFunction reads the function a simple event_re names: its first
// alternative, anchors and an escaped compiler suffix left out.
func plainFunction(re string) (string, bool) {
	alt, _, _ := strings.Cut(re, "|")
	alt = strings.TrimSuffix(strings.TrimPrefix(alt, "^"), "$")
	if i := strings.Index(alt, `\.`); i > 0 {
		alt = alt[:i]
	}
	for _, c := range alt {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", false
		}
	}
	return alt, alt != ""
}

func (r *reader) output(key string, o runplan.Output) *runplan.Output {
	if old := r.outputs[key]; old != nil {
		if o.Kind == runplan.TracePipe && old.Format == "fields" {
			return old
		}
		if old.Kind == o.Kind || o.Kind == runplan.Items {
			return old
		}
	}
	if r.outputs[key] == nil {
		r.outOrd = append(r.outOrd, key)
	}
	r.outputs[key] = &o
	return r.outputs[key]
}

func (r *reader) tableMethod(m, method string, n *node, st *stmt, inLoop bool) {
	switch method {
	case "open_perf_buffer", "open_ring_buffer":
		o := r.output(m, runplan.Output{Kind: runplan.Events, Map: m})
		// open_perf_buffer(callback, page_cnt=8, ...): the size asked for,
		// which run gives at least (its own sizing may give more).
		if v := r.kw(n, "page_cnt", 1); v != nil && method == "open_perf_buffer" {
			pages, ok := r.num(v)
			switch {
			case !ok:
			case pages >= 1 && pages <= runplan.MaxPages && pages == float64(int(pages)) && int(pages)&(int(pages)-1) == 0:
				o.Pages = int(pages)
			default:
				r.note(st.line, "page_cnt=%v is not a power of two from 1 to %d: run sizes the buffer itself", pages, runplan.MaxPages)
			}
		}
		cb := r.kw(n, "callback", 0)
		if cb == nil || cb.kind != "name" || r.funcs[cb.text] == nil {
			r.note(st.line, "%s's callback is not a function of the script: run prints its own table", m)
			return
		}
		p, err := r.callback(r.funcs[cb.text], m)
		if err != nil {
			r.note(r.funcs[cb.text].line, "%s: %v; run prints its own table", cb.text, err)
			return
		}
		o.Print = p
		if n.kwargs["lost_cb"] != nil {
			r.note(st.line, "lost_cb is not run: run counts lost events itself")
		}
	case "print_log2_hist", "print_linear_hist":
		r.printsInLoop(inLoop)
		kind := runplan.Log2Hist
		if method == "print_linear_hist" {
			kind = runplan.LinearHist
		}
		o := r.output(m, runplan.Output{Kind: kind, Map: m})
		o.Kind = kind
		if label, ok := r.strArg(n, "val_type", 0); ok {
			o.Title = label
		} else {
			o.Title = "value"
		}
		for _, k := range []string{"section_header", "section_print_fn", "bucket_fn", "bucket_sort_fn"} {
			if n.kwargs[k] != nil || k == "section_header" && len(n.args) > 1 {
				r.note(st.line, "%s(%s) is not supported: one histogram is printed", method, k)
			}
		}
	case "clear":
		r.printsInLoop(inLoop)
		if o := r.outputs[m]; o != nil {
			o.Clear = true
		} else {
			r.output(m, runplan.Output{Kind: runplan.Items, Map: m}).Clear = true
		}
	case "items", "values", "keys", "items_lookup_batch", "items_lookup_and_delete_batch":
		r.printsInLoop(inLoop)
		o := r.output(m, runplan.Output{Kind: runplan.Items, Map: m})
		o.Clear = o.Clear || method == "items_lookup_and_delete_batch"
	case "walk", "stack_walk":
		r.note(st.line, "stack symbolization (%s.%s) is not supported: run prints the map's stack ids; libbpf's way is blazesym or bpftool", m, method)
	case "event", "zero", "sum", "open_perf_buffers":
	default:
		r.note(st.line, "%s.%s() is not understood; ignored", m, method)
	}
}

// forItems: "for k, v in sorted(b["counts"].items(), ...)" prints a map.
// The loop's print of each item ("%-6d %d" % (k.value, v.value)) becomes
// the output's Print, with fields key, key.F, value, value.F.
func (r *reader) forItems(st *stmt, inLoop bool) bool {
	found, sliced, reversed := false, false, false
	var sorter *node // the sorted(...) call around items()
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil || found {
			return
		}
		if n.kind == "call" && n.x.kind == "attr" {
			method := n.x.text
			batch := method == "items_lookup_batch" || method == "items_lookup_and_delete_batch"
			if m := r.table(n.x.x); m != "" && (method == "items" || method == "values" || batch) {
				r.printsInLoop(inLoop)
				o := r.output(m, runplan.Output{Kind: runplan.Items, Map: m})
				o.Clear = o.Clear || method == "items_lookup_and_delete_batch"
				found = true
				if method != "values" {
					r.itemOrder(st, sorter, sliced, o)
					o.Reverse = o.Reverse != reversed
					r.itemPrint(st, o)
				}
				return
			}
		}
		if n.kind == "index" {
			sliced = true
		}
		if n.kind == "call" && n.x.dotted() == "sorted" {
			sorter = n
		}
		if n.kind == "call" && n.x.dotted() == "reversed" {
			reversed = true
		}
		walk(n.x)
		walk(n.y)
		for _, a := range n.args {
			walk(a)
		}
	}
	k := topLevel(st.toks, "in")
	for i, t := range st.toks {
		if t.kind == tName && t.text == "in" {
			k = i
			break
		}
	}
	if k < 0 || len(st.toks) < k+2 {
		return false
	}
	if n, err := r.parse(st.toks[k+1 : len(st.toks)-1]); err == nil {
		walk(n)
	}
	return found
}

// itemPrint reads "for k, v in ...: print(...)". Whatever else the loop
// does is listed in the notes.
func (r *reader) itemPrint(st *stmt, o *runplan.Output) {
	if len(st.toks) < 4 || st.toks[1].kind != tName || st.toks[2].text != "," || st.toks[3].kind != tName {
		r.note(st.line, "the items() loop's names are not `k, v`: run prints the map its own way")
		return
	}
	e := &env{key: st.toks[1].text, val: st.toks[3].text, locals: map[string]*node{}, firsts: map[string]bool{}}
	printed := false
	for _, b := range st.body {
		if len(b.toks) == 0 || b.toks[0].text != "print" && b.toks[0].text != "printb" || printed {
			r.note(b.line, "this line of the items() loop is not reproduced")
			continue
		}
		printed = true
		if r.spend(b.line, b.size+stmtCost) != nil {
			return
		}
		n, err := r.parse(b.toks)
		if err != nil {
			r.note(b.line, "print: cannot read it; run prints the map its own way")
			continue
		}
		p, err := r.printSpec(n, e)
		if err != nil {
			r.note(b.line, "print: %v; run prints the map its own way", err)
			continue
		}
		for _, h := range r.heads {
			p.Head = append(p.Head, h.text)
		}
		r.heads = nil
		o.Print = p
	}
	if !printed {
		r.note(st.line, "the items() loop prints nothing run can read: run prints the map its own way")
	}
}

// itemOrder reads the order of sorted(X.items(), key=lambda kv: kv[N]...,
// reverse=True); a slice of the items ([:10], [-5:]) is not applied.
func (r *reader) itemOrder(st *stmt, sorter *node, sliced bool, o *runplan.Output) {
	if sliced {
		r.note(st.line, "the items() loop's slice is not applied: every item is printed")
	}
	if sorter == nil {
		return
	}
	if rev := sorter.kwargs["reverse"]; rev != nil {
		if rev.kind == "name" && (rev.text == "True" || rev.text == "False") {
			o.Reverse = rev.text == "True"
		} else {
			r.note(st.line, "sorted(reverse=...) is computed by the script: items are printed in ascending order")
		}
	}
	key := sorter.kwargs["key"]
	if key == nil {
		o.ByKey = true // Python compares (key, value) tuples: keys first
		return
	}
	side := ""
	if key.kind == "other" && key.text == "lambda" {
		for n := key.x; n != nil; n = n.x {
			if n.kind == "index" && n.y != nil && n.y.kind == "num" && (n.y.text == "0" || n.y.text == "1") {
				side = n.y.text
			}
			if n.kind != "attr" && n.kind != "index" {
				break
			}
		}
	}
	switch side {
	case "0":
		o.ByKey = true
	case "1":
	default:
		r.note(st.line, "the items() loop's sort key is not read: items are sorted by value")
	}
}

func (r *reader) sleep(n *node, inLoop bool) {
	r.started = true
	if !inLoop || len(n.args) == 0 {
		return
	}
	if f, ok := r.num(n.args[0]); ok && f > 0 && f < 1e6 {
		r.loopSleep = time.Duration(f * float64(time.Second))
		return
	}
	r.loopSleep = time.Second
	r.loopSleepNote = n.line
}

// printsInLoop: a map printed in a loop that sleeps is printed every interval.
func (r *reader) printsInLoop(inLoop bool) {
	if !inLoop || r.loopSleep == 0 || r.s.Plan.Interval != 0 {
		return
	}
	r.s.Plan.Interval = r.loopSleep
	if r.loopSleepNote > 0 {
		r.note(r.loopSleepNote, "the interval comes from the script's command line: printing every 1s (run --interval changes it)")
	}
}

// topPrint: a print of literals before the script starts tracing is a
// header; a print inside a trace_fields loop is that loop's row format.
func (r *reader) topPrint(n *node, st *stmt, inLoop bool) {
	if inLoop {
		if r.traceFields != nil {
			if p, err := r.printSpec(n, r.traceEnv()); err == nil {
				o := r.output("", runplan.Output{Kind: runplan.TracePipe, Format: "fields"})
				o.Format = "fields"
				if o.Print == nil {
					o.Print = p
				}
			} else {
				r.note(n.line, "print: %v; run prints trace lines its own way", err)
			}
			return
		}
	}
	line, err := r.literalPrint(n)
	if err != nil {
		r.note(n.line, "print: %v; not shown", err)
		return
	}
	if r.spend(n.line, len(line)) != nil { // "%9999s" makes much of little
		return
	}
	if inLoop || r.started {
		r.pending = append(r.pending, pendingPrint{text: line, line: n.line})
		return
	}
	r.s.Plan.Header = append(r.s.Plan.Header, line)
}

// literalPrint evaluates print(...) of literals: print("%-6s" % ("PID",)),
// print("a", "b"), print().
func (r *reader) literalPrint(n *node) (string, error) {
	var parts []string
	for _, a := range n.args {
		if tmpl, vals, ok, err := r.template(a); ok {
			if err != nil {
				return "", err
			}
			var args []any
			for _, v := range vals {
				x, ok := r.literal(v)
				if !ok {
					return "", fmt.Errorf("a value computed by the script")
				}
				args = append(args, x)
			}
			s, err := pyfmt.Format(tmpl, args...)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
			continue
		}
		if a.kind == "binop" && a.text == "%" {
			format, ok := r.str(a.x)
			if !ok {
				return "", fmt.Errorf("a computed format")
			}
			var vals []any
			items := []*node{a.y}
			if a.y.kind == "tuple" {
				items = a.y.args
			}
			for _, it := range items {
				x, ok := r.literal(it)
				if !ok {
					return "", fmt.Errorf("a value computed by the script")
				}
				vals = append(vals, x)
			}
			s, err := pyfmt.Sprintf(format, vals...)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
			continue
		}
		s, ok := r.str(a)
		if !ok {
			return "", fmt.Errorf("a value computed by the script")
		}
		parts = append(parts, s)
	}
	sep := " "
	if v := n.kwargs["sep"]; v != nil {
		sep, _ = r.str(v)
	}
	if r.longer(n.line, joinedLen(parts, sep)) { // sep=LONG, many times
		return "", r.err
	}
	return strings.Join(parts, sep), nil
}

// joinedLen is len(strings.Join(parts, sep)), without overflow.
func joinedLen(parts []string, sep string) int {
	n := 0
	for k, p := range parts {
		if k > 0 {
			n += len(sep)
		}
		n += len(p)
		if n > MaxScript {
			return MaxScript + 1
		}
	}
	return n
}

// literal evaluates a string or number the script spells out.
func (r *reader) literal(n *node) (any, bool) {
	if s, ok := r.str(n); ok {
		return s, true
	}
	f, ok := r.num(n)
	if !ok {
		return nil, false
	}
	if f == float64(int64(f)) && n.kind == "num" && !strings.ContainsAny(n.text, ".eE") {
		return int64(f), true
	}
	return f, true
}

// finish decides the substitutions and the outputs.
func (r *reader) finish() {
	for _, p := range r.pending {
		r.note(p.line, "this print is not reproduced")
	}
	for _, old := range r.replOrd {
		var lit *string
		for _, c := range r.repl[old] {
			if c != nil {
				lit = c // the last literal: usually the script's default branch
			}
		}
		if lit != nil {
			r.s.Replace = append(r.s.Replace, [2]string{old, *lit})
			if len(r.repl[old]) > 1 {
				r.s.Plan.Notes = append(r.s.Plan.Notes, fmt.Sprintf("%s: %s is replaced by %q (the script's other choices depend on its command line)", r.s.Name, clip(old), clip(*lit)))
			}
			continue
		}
		r.s.Globals = append(r.s.Globals, old)
		r.s.Plan.Notes = append(r.s.Plan.Notes, fmt.Sprintf("%s: %s is filled from the script's command line: it is a const volatile global here, 0 unless run --set %s=VALUE", r.s.Name, clip(old), clip(old)))
	}
	switch {
	case r.parsed && len(r.args) == 0:
		r.s.Plan.Notes = append(r.s.Plan.Notes, fmt.Sprintf("%s: the script's options take their defaults (give it others after --: ebpf-hello run %s -- OPTIONS)", r.s.Name, r.s.Name))
	case r.argv && !r.parsed:
		r.s.Plan.Notes = append(r.s.Plan.Notes, fmt.Sprintf("%s: the script's own command-line options are not read (ebpf-hello does not run it)", r.s.Name))
	}
	for _, k := range r.outOrd {
		r.s.Plan.Outputs = append(r.s.Plan.Outputs, *r.outputs[k])
	}
}
