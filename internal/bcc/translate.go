package bcc

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// Options are what the translation needs besides the source.
type Options struct {
	// Attach lists what the Python script (or run's flags) attaches:
	// Program is a function of the source. Functions named kprobe__X,
	// kretprobe__X, tracepoint__C__E, raw_tracepoint__E and TRACEPOINT_PROBE
	// attach themselves and need no entry. Fallbacks are filled in here.
	Attach []runplan.Attach
	// Tracefs is the tracefs root whose events/CAT/EV/format files give the
	// TRACEPOINT_PROBE structs; "" means /sys/kernel/tracing.
	Tracefs string
	// KernelNames are vmlinux.h's names (maps and structs clashing with them
	// are renamed); nil reads /sys/kernel/btf/vmlinux, and without it
	// nothing is renamed.
	KernelNames *KernelNames
	// Arch is a GOARCH value for the syscall prefix; "" is this machine's.
	Arch string
	// Globals are placeholders a Python script fills from its command line
	// (.replace("PID", str(args.pid))): each is declared a const volatile
	// global, 0 unless `run --set NAME=VALUE`.
	Globals []string
	// Load lists functions a Python script loads as programs without
	// attaching them (b.load_func(name, BPF.KPROBE)): a tail call's targets.
	// Program and Kind; Target is empty.
	Load []runplan.Attach
	// Defines are the script's BPF(cflags=[...]) -D options ("NAME" or
	// "NAME=VALUE"), written as #defines before the program.
	Defines []string
}

// Program is the translation's result.
type Program struct {
	Name string // the generated file's name, e.g. "hello2.bcc.bpf.c"
	C    []byte // libbpf-style CO-RE C
	Plan runplan.Plan
	// Maps are all the program's maps as run would show them: Map is the
	// object's name, Title the learner's when it differs, Type the struct
	// sent through a perf or ring buffer.
	Maps []runplan.Output
	// TailCallers are, by program array (its name in the object), the
	// functions that tail-call through it (prog_array.call(ctx, N)).
	TailCallers map[string][]string
	// MapNames are every map's name in the object, by its name in the
	// source (they differ for a name vmlinux.h has).
	MapNames map[string]string
}

type param struct {
	typ, name string
	user      bool // declared __user
}

type function struct {
	name                string
	typeStart, nameIdx  int
	open, close         int // the parameter list's parentheses
	bodyOpen, bodyClose int
	static              bool
	params              []param
	macro               string // TRACEPOINT_PROBE or RAW_TRACEPOINT_PROBE, "" for a plain function
	tpCat, tpEvent      string
}

type translator struct {
	*unit
	opts           Options
	outName        string
	maps           map[string]*bccMap
	mapOrder       []*bccMap
	funcs          []*function
	structs        map[string]bool   // struct tags the source defines
	tpStructs      map[string]string // "tracepoint__cat__ev" -> struct definition
	tpFields       map[string][]tpField
	notes          []string
	epilogue       strings.Builder
	uses           map[string]bool   // identifiers used anywhere in the source
	mapDecls       [][3]int          // token ranges of the map macros: macro, its ")", its ";"
	renamed        map[string]string // struct tags renamed for vmlinux.h
	usesPrintk     bool
	syscallRecords bool                       // fallbacks use the syscall tracepoints' records
	decls          map[string][2][]decl       // declarations by variable name (declType)
	tailCallers    map[string][]string        // program array -> functions calling through it
	anonNames      map[int]string             // anonymous structs named for run (by the index of their "{")
	ownFields      map[string]map[string]bool // the program's structs' kernel pointer fields (kernelFields)
}

// MaxSource is the most BCC C Translate takes: BCC's own tools are tens of
// kilobytes.
const MaxSource = 1 << 20

// Translate turns BCC-dialect C into libbpf-style CO-RE C and a Plan.
// name is the source's file name, used in #line directives and messages.
// Errors are one line.
func Translate(src []byte, name string, opts Options) (*Program, error) {
	p, err := translate(src, name, opts)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), "\n", `\n`))
	}
	return p, nil
}

func translate(src []byte, name string, opts Options) (*Program, error) {
	if opts.Tracefs == "" {
		opts.Tracefs = "/sys/kernel/tracing"
	}
	if opts.Arch == "" {
		opts.Arch = runtime.GOARCH
	}
	if opts.KernelNames == nil {
		if kn, err := ReadKernelNames("/sys/kernel/btf/vmlinux"); err == nil {
			opts.KernelNames = kn
		} else {
			opts.KernelNames = &KernelNames{}
		}
	}
	base := filepath.Base(name)
	if len(src) > MaxSource {
		return nil, fmt.Errorf("%s: %d bytes of C: ebpf-hello translates at most 1 MiB of BCC C (after the script's substitutions)", base, len(src))
	}
	u, err := newUnit(base, string(src))
	if err != nil {
		return nil, err
	}
	t := &translator{
		unit:      u,
		opts:      opts,
		outName:   strings.TrimSuffix(base, filepath.Ext(base)) + ".bcc.bpf.c",
		maps:      map[string]*bccMap{},
		structs:   map[string]bool{},
		tpStructs: map[string]string{},
		tpFields:  map[string][]tpField{},
		uses:      map[string]bool{},
		renamed:   map[string]string{},

		tailCallers: map[string][]string{},
	}
	for _, tk := range t.toks {
		if tk.kind == kIdent {
			t.uses[tk.text] = true
		}
	}
	if err := t.scan(); err != nil {
		return nil, err
	}
	if err := t.tracepointStructs(); err != nil {
		return nil, err
	}
	t.renameClashes()
	t.methods()
	t.printk()
	plan, err := t.probes()
	if err != nil {
		return nil, err
	}
	t.implicitReads()
	prologue := t.prologue()
	body, err := t.render(t.outName, strings.Count(prologue, "\n")+2)
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	out.WriteString(prologue)
	fmt.Fprintf(&out, "#line 1 %q\n", t.name)
	out.WriteString(body)
	if !strings.HasSuffix(body, "\n") {
		out.WriteString("\n")
	}
	for _, m := range t.mapOrder {
		if m.EventType != "" && !t.localStruct(m.EventType) {
			fmt.Fprintf(&t.epilogue, "\n/* run prints each event of %s as %s: this pointer puts the type in the object's BTF. */\nconst %s *unused_%s __attribute__((unused));\n",
				m.Name, m.EventType, m.EventType, m.Internal)
		}
	}
	epi := t.epilogue.String()
	if !t.uses["_license"] && !t.uses["LICENSE"] && !t.uses["BPF_LICENSE"] {
		epi += "\n/* BCC adds this silently: bpf_trace_printk, probe reads and perf output are GPL-only helpers. */\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n"
	}
	if epi != "" {
		n := strings.Count(out.String(), "\n") + 3 // after a blank line and the directive
		fmt.Fprintf(&out, "\n#line %d %q\n", n, t.outName)
		out.WriteString(epi)
	}
	plan.Notes = append(plan.Notes, t.notes...)
	names := map[string]string{}
	for _, m := range t.mapOrder {
		names[m.Name] = m.Internal
	}
	return &Program{Name: t.outName, C: []byte(out.String()), Plan: plan, Maps: t.mapOutputs(), TailCallers: t.tailCallers, MapNames: names}, nil
}

func (t *translator) errorf(i int, format string, args ...any) error {
	line := 0
	if i >= 0 && i < len(t.toks) {
		line = t.toks[i].line
	}
	return fmt.Errorf("%s:%d: %s", t.name, line, fmt.Sprintf(format, args...))
}

// scan finds the includes, map macros, struct definitions and functions at
// the top level of the source.
func (t *translator) scan() error {
	depth := 0
	stmt := 0
	for i := 0; i < len(t.toks); i++ {
		tk := t.toks[i]
		if tk.kind == kDirective {
			t.directive(i)
			stmt = i + 1
			continue
		}
		switch tk.text {
		case "{":
			depth++
			continue
		case "}":
			depth--
			if depth == 0 {
				stmt = i + 1
			}
			continue
		case ";":
			if depth == 0 {
				stmt = i + 1
			}
			continue
		}
		if depth != 0 {
			if tk.text == "struct" && t.isIdent(i+1) && t.tok(i+2) == "{" {
				t.structs[t.tok(i+1)] = true
			}
			continue
		}
		if tk.text == "struct" && t.isIdent(i+1) && t.tok(i+2) == "{" {
			t.structs[t.tok(i+1)] = true
			continue
		}
		if tk.kind != kIdent || t.tok(i+1) != "(" {
			continue
		}
		if _, ok := mapMacros[tk.text]; ok || tk.text == "BPF_TABLE" || tk.text == "BPF_F_TABLE" {
			m, close, err := t.parseMap(i)
			if err != nil {
				return err
			}
			if t.maps[m.Name] != nil {
				return t.errorf(i, "map %s is declared twice", m.Name)
			}
			m.Internal = m.Name
			t.maps[m.Name] = m
			t.mapOrder = append(t.mapOrder, m)
			end := close
			if t.tok(close+1) == ";" {
				end = close + 1
			}
			t.mapDecls = append(t.mapDecls, [3]int{i, close, end})
			i = end
			stmt = end + 1
			continue
		}
		close := t.match(i + 1)
		if close < 0 {
			return t.errorf(i, "unbalanced parentheses after %s", tk.text)
		}
		if t.tok(close+1) != "{" {
			i = close
			continue
		}
		bodyClose := t.match(close + 1)
		if bodyClose < 0 {
			return t.errorf(close+1, "function %s has no closing brace", tk.text)
		}
		f := &function{name: tk.text, typeStart: stmt, nameIdx: i, open: i + 1, close: close,
			bodyOpen: close + 1, bodyClose: bodyClose}
		for k := stmt; k < i; k++ {
			if t.tok(k) == "static" {
				f.static = true
			}
		}
		switch tk.text {
		case "TRACEPOINT_PROBE", "RAW_TRACEPOINT_PROBE":
			f.macro = tk.text
			a := t.args(i+1, close)
			if tk.text == "TRACEPOINT_PROBE" {
				if len(a) != 2 {
					return t.errorf(i, "TRACEPOINT_PROBE takes (category, event)")
				}
				f.tpCat, f.tpEvent = t.squash(a[0][0], a[0][1]), t.squash(a[1][0], a[1][1])
				if err := runplan.ValidTracepoint(f.tpCat, f.tpEvent); err != nil {
					return t.errorf(i, "%v", err)
				}
				f.name = "tracepoint__" + f.tpCat + "__" + f.tpEvent
			} else {
				if len(a) != 1 {
					return t.errorf(i, "RAW_TRACEPOINT_PROBE takes (event)")
				}
				f.tpEvent = t.squash(a[0][0], a[0][1])
				if err := runplan.ValidRawTracepoint(f.tpEvent); err != nil {
					return t.errorf(i, "%v", err)
				}
				f.name = "raw_tracepoint__" + f.tpEvent
			}
		case "KFUNC_PROBE", "KRETFUNC_PROBE", "LSM_PROBE", "BPF_ITER", "KMOD_RET":
			return t.errorf(i, "%s is not supported by ebpf-hello (write it libbpf-style: SEC(\"fentry/FUNC\") int BPF_PROG(name, args...))", tk.text)
		default:
			for _, a := range t.args(i+1, close) {
				if a[0] > a[1] {
					continue
				}
				p := param{typ: t.squash(a[0], a[1])}
				if t.isIdent(a[1]) && a[1] > a[0] {
					p.name = t.tok(a[1])
					p.typ = t.squash(a[0], a[1]-1)
				}
				for k := a[0]; k <= a[1]; k++ {
					if t.tok(k) == "__user" {
						p.user = true
					}
				}
				if p.typ == "void" && p.name == "" {
					continue
				}
				f.params = append(f.params, p)
			}
		}
		t.funcs = append(t.funcs, f)
		i = bodyClose
		stmt = bodyClose + 1
	}
	return nil
}

// directive neutralises kernel and BCC header includes: vmlinux.h and
// libbpf's headers (in the prologue) declare what they did.
func (t *translator) directive(i int) {
	d := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t.tok(i)), "#"))
	if !strings.HasPrefix(d, "include") {
		return
	}
	arg := strings.TrimSpace(strings.TrimPrefix(d, "include"))
	if !strings.HasPrefix(arg, "<") {
		return // "local.h": the learner's own header stays
	}
	t.replace(i, i, "/* "+strings.ReplaceAll(strings.TrimSpace(t.tok(i)), "*/", "* /")+": vmlinux.h */")
}

// renameClashes gives maps and structs named like a vmlinux.h type or enum
// constant an internal name; the learner still sees their own name.
func (t *translator) renameClashes() {
	kn := t.opts.KernelNames
	free := func(n string) string {
		for t.uses[n] || kn.Ordinary[n] || kn.Tags[n] {
			n += "_"
		}
		t.uses[n] = true
		return n
	}
	for _, m := range t.mapOrder {
		if kn.Ordinary[m.Name] {
			m.Internal = free(m.Name + "_map")
			t.notes = append(t.notes, fmt.Sprintf("map %s is called %s in the object (vmlinux.h has a type or constant %s)", m.Name, m.Internal, m.Name))
		}
	}
	renamedStructs := map[string]string{}
	for s := range t.structs {
		if kn.Tags[s] {
			renamedStructs[s] = free(s + "_user")
		}
	}
	for i, tk := range t.toks {
		if tk.kind != kIdent {
			continue
		}
		if m := t.maps[tk.text]; m != nil && m.Internal != m.Name && t.tok(i-1) != "." && t.tok(i-1) != "->" &&
			!(t.tok(i+1) == "." && t.isIdent(i+2) && t.tok(i+3) == "(") && !t.inMapDecl(i) {
			t.replace(i, i, m.Internal)
		}
		if r, ok := renamedStructs[tk.text]; ok && (t.tok(i-1) == "struct") {
			t.replace(i, i, r)
		}
	}
	for s, r := range renamedStructs {
		t.notes = append(t.notes, fmt.Sprintf("struct %s is called struct %s in the object (vmlinux.h has a struct %s)", s, r, s))
		t.structs[r] = true
		t.renamed[s] = r
	}
}
