package bcc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// autoAttach is BCC's attach-by-name rule: kprobe__do_sys_openat2 is a
// kprobe on do_sys_openat2, and so on.
func autoAttach(f *function) (runplan.AttachKind, string, bool) {
	switch f.macro {
	case "TRACEPOINT_PROBE":
		return runplan.Tracepoint, f.tpCat + ":" + f.tpEvent, true
	case "RAW_TRACEPOINT_PROBE":
		return runplan.RawTracepoint, f.tpEvent, true
	}
	for _, p := range []struct {
		prefix string
		kind   runplan.AttachKind
	}{{"kprobe__", runplan.Kprobe}, {"kretprobe__", runplan.Kretprobe}, {"raw_tracepoint__", runplan.RawTracepoint}} {
		if strings.HasPrefix(f.name, p.prefix) && len(f.name) > len(p.prefix) {
			return p.kind, f.name[len(p.prefix):], true
		}
	}
	if strings.HasPrefix(f.name, "tracepoint__") {
		if cat, ev, ok := strings.Cut(f.name[len("tracepoint__"):], "__"); ok && cat != "" && ev != "" {
			return runplan.Tracepoint, cat + ":" + ev, true
		}
	}
	return "", "", false
}

// validTarget checks the names of tracepoint targets, which go into
// tracefs paths and SEC() names.
func validTarget(kind runplan.AttachKind, target string) error {
	switch kind {
	case runplan.Tracepoint:
		return runplan.ValidTracepointTarget(target)
	case runplan.RawTracepoint:
		return runplan.ValidRawTracepoint(target)
	}
	return nil
}

// fixSyscallName names a kprobe on sys_X as BCC's attach_kprobe does: with
// the architecture's syscall prefix (__x64_sys_X).
func (t *translator) fixSyscallName(kind runplan.AttachKind, target string) string {
	if (kind == runplan.Kprobe || kind == runplan.Kretprobe) && strings.HasPrefix(target, "sys_") && len(target) > 4 {
		return SyscallPrefix(t.opts.Arch) + target[4:]
	}
	return target
}

// input is one value the body of a wrapped probe receives after ctx: a
// typed argument, or a register read (PT_REGS_PARMn/PT_REGS_RC) that the
// tracepoint fallbacks must supply differently.
type input struct {
	decl  string // "int dfd", "unsigned long ____parm2"
	name  string
	typ   string
	arg   int  // the probed function's argument index (0-based), -1 for the return value
	used  bool // the body reads it
	extra bool // added to the body's parameters (a register read it did itself)
}

func (t *translator) probes() (runplan.Plan, error) {
	var plan runplan.Plan
	byName := map[string]*function{}
	for _, f := range t.funcs {
		byName[f.name] = f
	}
	requested := map[string][]int{} // function -> indexes in plan.Attach
	for _, a := range t.opts.Attach {
		a.Target = t.fixSyscallName(a.Kind, a.Target)
		if err := validTarget(a.Kind, a.Target); err != nil {
			return plan, fmt.Errorf("%s: %s: %w", t.name, a.Program, err)
		}
		f := byName[a.Program]
		if f == nil {
			return plan, fmt.Errorf("%s has no function %s to attach to %s %s", t.name, a.Program, a.Kind, a.Target)
		}
		if f.static {
			return plan, fmt.Errorf("%s: %s is static: BCC loads only non-static functions as programs", t.name, a.Program)
		}
		if a.Kind == runplan.Tracepoint && !a.Optional && len(a.Fallback) == 0 {
			if missing := t.missingTracepoint(a.Target); missing != "" {
				return plan, fmt.Errorf("%s: %s", a.Program, missing)
			}
		}
		plan.Attach = append(plan.Attach, a)
		requested[f.name] = append(requested[f.name], len(plan.Attach)-1)
	}
	for _, f := range t.funcs {
		if len(requested[f.name]) > 0 || f.static {
			continue
		}
		if kind, target, ok := autoAttach(f); ok {
			target = t.fixSyscallName(kind, target)
			if err := validTarget(kind, target); err != nil {
				return plan, fmt.Errorf("%s: %s: %w", t.name, f.name, err)
			}
			plan.Attach = append(plan.Attach, runplan.Attach{Program: f.name, Kind: kind, Target: target})
			requested[f.name] = append(requested[f.name], len(plan.Attach)-1)
		}
	}
	// functions loaded as programs, attached nowhere: tail calls' targets
	for _, l := range t.opts.Load {
		f := byName[l.Program]
		if f == nil {
			return plan, fmt.Errorf("%s has no function %s to load as a %s program", t.name, l.Program, l.Kind)
		}
		if len(requested[f.name]) > 0 {
			continue // attached too: its SEC() is its attach's
		}
		if f.static {
			return plan, fmt.Errorf("%s: %s is static: BCC loads only non-static functions as programs", t.name, l.Program)
		}
		if _, err := t.probe(f, l.Kind, ""); err != nil {
			return plan, err
		}
	}
	for _, f := range t.funcs {
		idx := requested[f.name]
		if len(idx) == 0 {
			continue
		}
		first := plan.Attach[idx[0]]
		for _, k := range idx[1:] {
			if plan.Attach[k].Kind != first.Kind {
				return plan, fmt.Errorf("%s: %s is attached both as %s and as %s; ebpf-hello gives each function one kind of hook (copy the function)", t.name, f.name, first.Kind, plan.Attach[k].Kind)
			}
		}
		// one function on several syscalls (kill, tkill, tgkill): each
		// target gets its own tracepoint fallbacks
		var targets []string
		for _, k := range idx {
			if !slices.Contains(targets, plan.Attach[k].Target) {
				targets = append(targets, plan.Attach[k].Target)
			}
		}
		fallbacks, err := t.probeAll(f, first.Kind, targets)
		if err != nil {
			return plan, err
		}
		done := map[string]bool{}
		for _, k := range idx {
			if target := plan.Attach[k].Target; !done[target] {
				done[target] = true
				plan.Attach[k].Fallback = append(plan.Attach[k].Fallback, fallbacks[target]...)
			}
		}
	}
	plan.Outputs = t.defaultOutputs()
	return plan, nil
}

// probe turns function f into a program attached as kind to target, and
// returns the fallback programs it generated.
func (t *translator) probe(f *function, kind runplan.AttachKind, target string) ([]runplan.Attach, error) {
	fbs, err := t.probeAll(f, kind, []string{target})
	return fbs[target], err
}

// probeAll turns function f into a program attached as kind to targets (its
// SEC() names the first), and returns the fallback programs it generated
// for each target: a syscall's tracepoint serves the first target that
// names it.
func (t *translator) probeAll(f *function, kind runplan.AttachKind, targets []string) (map[string][]runplan.Attach, error) {
	target := targets[0]
	sec := ""
	switch kind {
	case runplan.Kprobe, runplan.Kretprobe:
		sec = string(kind) + "/" + target
		if target == "" { // loaded, attached nowhere
			sec = string(kind)
		}
	case runplan.Uprobe, runplan.Uretprobe:
		sec = string(kind)
		if target != "" {
			sec += "/" + target
		}
	case runplan.Tracepoint:
		sec = strings.TrimSuffix("tracepoint/"+strings.Replace(target, ":", "/", 1), "/")
	case runplan.RawTracepoint:
		sec = strings.TrimSuffix("raw_tracepoint/"+target, "/")
	case runplan.Fentry, runplan.Fexit:
		sec = string(kind) + "/" + target
	case runplan.USDT:
		sec = "usdt" // where is the loader's to say: BCC's USDT(...).enable_probe
	case runplan.PerfEvent:
		sec = "perf_event" // the sampling event is the loader's to open
	default:
		return nil, fmt.Errorf("%s: %s: unknown attach kind %q", t.name, f.name, kind)
	}
	if f.macro != "" {
		t.macroProbe(f, sec)
		return nil, nil
	}
	regs := kind == runplan.Kprobe || kind == runplan.Kretprobe || kind == runplan.Uprobe || kind == runplan.Uretprobe
	if !regs {
		t.insertBefore(f.typeStart, fmt.Sprintf("SEC(%q)\n", sec))
		return nil, nil
	}
	ctxName, hasCtx := "", len(f.params) > 0
	if hasCtx {
		ctxName = f.params[0].name
	}
	void := t.tok(f.nameIdx-1) == "void" && (f.nameIdx-1 == f.typeStart || t.tok(f.nameIdx-2) == "static" || t.tok(f.nameIdx-2) == "inline")
	if len(f.params) > 9 {
		return nil, fmt.Errorf("%s: %s has %d typed arguments; registers give at most 8", t.name, f.name, len(f.params)-1)
	}
	var ins []input
	for k := 1; k < len(f.params); k++ {
		p := f.params[k]
		ins = append(ins, input{decl: p.typ + " " + p.name, name: p.name, typ: p.typ, arg: k - 1, used: t.usedIn(f, p.name)})
	}

	// Fallbacks: a kprobe on a syscall's entry can be served by the
	// syscall's tracepoint, if the body reads only what the tracepoint has.
	var fbs []sysFallback
	fbTarget := map[string]string{} // syscall -> the target it serves
	exit := kind == runplan.Kretprobe
	if kind == runplan.Kprobe || kind == runplan.Kretprobe {
		has := syscallTracepoints(t.opts.Tracefs, t.opts.Arch)
		for _, tg := range targets {
			for _, fb := range syscallFallbacks(tg, t.opts.Arch, has) {
				if _, dup := fbTarget[fb.syscall]; !dup {
					fbTarget[fb.syscall] = tg
					fbs = append(fbs, fb)
				}
			}
		}
	}
	if len(fbs) > 0 {
		extra, ok := t.regReads(f, ctxName, exit)
		if !hasCtx {
			extra, ok = nil, true
		}
		if !ok {
			t.notes = append(t.notes, fmt.Sprintf("%s reads registers beyond its arguments: no tracepoint fallback for %s %s", f.name, kind, target))
			fbs = nil
		} else {
			ins = append(ins, extra...)
		}
		if exit {
			for _, in := range ins {
				if in.arg >= 0 && in.used {
					t.notes = append(t.notes, fmt.Sprintf("%s is a kretprobe reading argument %s: no tracepoint fallback", f.name, in.name))
					fbs = nil
					break
				}
			}
		}
	}
	if len(ins) == 0 && !void && len(fbs) == 0 {
		t.insertBefore(f.typeStart, fmt.Sprintf("SEC(%q)\n", sec))
		return nil, nil
	}

	// The body becomes an inline function; the programs call it.
	body := "____" + f.name
	t.insertBefore(f.typeStart, "static __always_inline ")
	t.replace(f.nameIdx, f.nameIdx, body)
	var extraDecl []string
	for _, in := range ins {
		if in.extra {
			extraDecl = append(extraDecl, in.decl)
		}
	}
	if len(extraDecl) > 0 { // only with a ctx parameter: regReads needs one
		t.insertBefore(f.close, ", "+strings.Join(extraDecl, ", "))
	}

	call := func(ctx string, value func(in input) string) string {
		var b strings.Builder
		var args []string
		if hasCtx {
			args = append(args, ctx)
		}
		for _, in := range ins {
			args = append(args, fmt.Sprintf("(%s)%s", in.typ, value(in)))
		}
		b.WriteString(body + "(" + strings.Join(args, ", "))
		b.WriteString(")")
		if void {
			return "\t" + b.String() + ";\n\treturn 0;\n"
		}
		return "\treturn " + b.String() + ";\n"
	}
	w := &t.epilogue
	if target == "" {
		fmt.Fprintf(w, "\n/* %s (loaded, attached nowhere): the registers hold %s's arguments. */\n", kind, f.name)
	} else {
		fmt.Fprintf(w, "\n/* %s %s: the registers hold %s's arguments. */\n", kind, target, f.name)
	}
	fmt.Fprintf(w, "SEC(%q)\nint %s(struct pt_regs *ctx)\n{\n", sec, f.name)
	wrapper := (kind == runplan.Kprobe) && isSyscallWrapper(target) && len(ins) > 0
	if wrapper {
		w.WriteString("\tstruct pt_regs *regs = (struct pt_regs *)PT_REGS_SYSCALL_REGS(ctx); /* the syscall's own registers */\n\n")
	}
	w.WriteString(call("ctx", func(in input) string {
		switch {
		case in.arg < 0:
			return "PT_REGS_RC(ctx)"
		case wrapper:
			return fmt.Sprintf("PT_REGS_PARM%d_CORE_SYSCALL(regs)", in.arg+1)
		}
		return fmt.Sprintf("PT_REGS_PARM%d(ctx)", in.arg+1)
	}))
	w.WriteString("}\n")

	out := map[string][]runplan.Attach{}
	for _, fb := range fbs {
		ev := "sys_enter_" + fb.syscall
		ctxType := "struct syscall_trace_enter___bcc"
		if exit {
			ev = "sys_exit_" + fb.syscall
			ctxType = "struct syscall_trace_exit___bcc"
		}
		t.syscallRecords = true
		prog := f.name + "__" + fb.syscall
		for _, in := range ins {
			if in.arg >= 0 && in.used && (in.arg >= len(fb.args) || fb.args[in.arg] == "") {
				t.notes = append(t.notes, fmt.Sprintf("on the %s tracepoint, %s's argument %s is 0 (the syscall has no such value)", ev, f.name, in.name))
			}
		}
		fmt.Fprintf(w, "\n/* Without kprobes: syscalls:%s does the same work. */\n", ev)
		fmt.Fprintf(w, "SEC(\"tracepoint/syscalls/%s\")\nint %s(%s *args)\n{\n", ev, prog, ctxType)
		w.WriteString(call("(void *)args", func(in input) string {
			if in.arg < 0 {
				return "args->ret"
			}
			if in.arg < len(fb.args) && fb.args[in.arg] != "" {
				return fb.args[in.arg]
			}
			return "0"
		}))
		w.WriteString("}\n")
		tg := fbTarget[fb.syscall]
		out[tg] = append(out[tg], runplan.Attach{Program: prog, Kind: runplan.Tracepoint, Target: "syscalls:" + ev})
	}
	return out, nil
}

// regReads rewrites PT_REGS_PARMn(ctx) and PT_REGS_RC(ctx) in f's body into
// inputs the wrappers supply. It reports false when the body uses ctx in a
// way a tracepoint cannot serve (ctx->di, PT_REGS_IP(ctx), ...); passing
// ctx to helpers (perf output, stack ids, tail calls) is fine.
func (t *translator) regReads(f *function, ctx string, exit bool) ([]input, bool) {
	var ins []input
	seen := map[string]bool{}
	type rw struct {
		from, to int
		name     string
	}
	var rws []rw
	for i := f.bodyOpen + 1; i < f.bodyClose; i++ {
		if t.tok(i) != ctx || t.tok(i-1) == "." || t.tok(i-1) == "->" {
			continue
		}
		if t.tok(i-1) == "(" && t.tok(i+1) == ")" && strings.HasPrefix(t.tok(i-2), "PT_REGS_") {
			macro := t.tok(i - 2)
			var in input
			switch {
			case strings.HasPrefix(macro, "PT_REGS_PARM") && len(macro) == len("PT_REGS_PARM")+1:
				n := int(macro[len(macro)-1] - '1')
				if n < 0 || n > 7 {
					return nil, false
				}
				in = input{name: fmt.Sprintf("____parm%d", n+1), typ: "unsigned long", arg: n, used: true}
			case macro == "PT_REGS_RC" && exit:
				in = input{name: "____rc", typ: "long", arg: -1, used: true}
			default:
				return nil, false
			}
			in.decl, in.extra = in.typ+" "+in.name, true
			rws = append(rws, rw{i - 2, i + 1, in.name})
			if !seen[in.name] {
				seen[in.name] = true
				ins = append(ins, in)
			}
			continue
		}
		if t.tok(i+1) == "->" {
			return nil, false
		}
	}
	for _, r := range rws {
		t.replace(r.from, r.to, r.name)
	}
	return ins, true
}

// usedIn tells whether identifier name appears in f's body.
func (t *translator) usedIn(f *function, name string) bool {
	for i := f.bodyOpen + 1; i < f.bodyClose; i++ {
		if t.tok(i) == name && t.tok(i-1) != "." && t.tok(i-1) != "->" {
			return true
		}
	}
	return false
}

// macroProbe rewrites TRACEPOINT_PROBE(cat, ev) and RAW_TRACEPOINT_PROBE(ev)
// into the function BCC's macro expands to, with its true SEC() name.
func (t *translator) macroProbe(f *function, sec string) {
	var head string
	if f.macro == "TRACEPOINT_PROBE" {
		head = fmt.Sprintf("SEC(%q) int %s(struct %s *args)", sec, f.name, f.name)
	} else {
		head = fmt.Sprintf("SEC(%q) int %s(struct bpf_raw_tracepoint_args *ctx)", sec, f.name)
	}
	t.replace(f.nameIdx, f.close, head)
}

// mapOutputs lists every map the way run would show it.
func (t *translator) mapOutputs() []runplan.Output {
	var out []runplan.Output
	for _, m := range t.mapOrder {
		o := runplan.Output{Map: m.Internal}
		if m.Internal != m.Name {
			o.Title = m.Name
		}
		switch m.Type {
		case "BPF_MAP_TYPE_PERF_EVENT_ARRAY", "BPF_MAP_TYPE_RINGBUF":
			o.Kind = runplan.Events
			o.Type = typeName(m.EventType)
		case "BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_ARRAY", "BPF_MAP_TYPE_LRU_HASH", "BPF_MAP_TYPE_PERCPU_HASH",
			"BPF_MAP_TYPE_PERCPU_ARRAY", "BPF_MAP_TYPE_LRU_PERCPU_HASH":
			o.Kind = runplan.Items
			if strings.HasSuffix(m.Macro, "HISTOGRAM") {
				o.Kind = runplan.LinearHist
				if t.uses["bpf_log2l"] || t.uses["bpf_log2"] {
					o.Kind = runplan.Log2Hist
				}
			}
		default:
			continue
		}
		out = append(out, o)
	}
	return out
}

// defaultOutputs says what run shows when no script says it: printk lines,
// events, histograms; key/value maps only when there is nothing else.
func (t *translator) defaultOutputs() []runplan.Output {
	var out, items []runplan.Output
	if t.usesPrintk {
		out = append(out, runplan.Output{Kind: runplan.TracePipe})
	}
	for _, o := range t.mapOutputs() {
		if o.Kind == runplan.Items {
			items = append(items, o)
		} else {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = items
	}
	return out
}

// missingTracepoint explains a tracepoint target ("cat:event") that tracefs
// does not have; "" when it is there, or when tracefs cannot tell (not
// mounted, or not readable without root: run --emit).
func (t *translator) missingTracepoint(target string) string {
	cat, ev, _ := strings.Cut(target, ":")
	events := filepath.Join(t.opts.Tracefs, "events")
	if _, err := os.Stat(events); err != nil {
		return ""
	}
	if _, err := os.Stat(filepath.Join(events, cat, ev)); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return runplan.MissingTracepoint(t.opts.Tracefs, cat, ev)
}
