package runner

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// entry is one program to attach and how it attaches now.
type entry struct {
	want    runplan.Attach
	hooks   []probe.Hook // what is tried now
	how     string       // in words, when not the program's own way
	dropped bool         // optional and unavailable: left out
	// loaderChooses: a program of a libbpf-style object with others, which
	// its loader would leave out when this kernel lacks its function
	// (libbpf-tools ship a program per kernel version's function name).
	loaderChooses bool
	// at is the Attach tried now: want, then each fallback of a chain (a
	// script's if/elif/else: one branch after the other).
	at    runplan.Attach
	moved bool // on the last fallback: no further one
}

func newEntry(a runplan.Attach, tracefs string) *entry {
	return &entry{want: a, at: a, hooks: hooksFor(a, tracefs)}
}

// tries bounds the loads needed to settle entries: each may move once per
// fallback of its chain, and once more to syscall tracepoints.
func tries(entries []*entry) int {
	n := 1
	for _, e := range entries {
		n += 2
		for a := e.want; len(a.Fallback) == 1; a = a.Fallback[0] {
			n++
		}
	}
	return n
}

// plannedAttach lists the programs to attach: the plan's, else every
// program whose SEC() names a tracing hook, alternatives grouped. A
// program named by an attach flag (flags) goes where the flags say
// instead: libbpf-tools' SEC("uprobe") names no binary, its loader does.
func plannedAttach(plan runplan.Plan, flags []runplan.Attach, progs []probe.Program) ([]runplan.Attach, error) {
	if len(plan.Attach) > 0 {
		return plan.Attach, nil
	}
	flagged := map[string]bool{}
	for _, a := range flags {
		if !slices.ContainsFunc(progs, func(p probe.Program) bool { return p.Name == a.Program }) {
			return nil, fmt.Errorf("--%s ...=%s: the object has no program %s", a.Kind, textsafe.Escape(a.Program), textsafe.Escape(a.Program))
		}
		flagged[a.Program] = true
	}
	var out []runplan.Attach
	for _, p := range progs {
		if flagged[p.Name] {
			continue
		}
		kind, target, ok := probe.ParseSEC(p.Section)
		if !ok {
			return nil, fmt.Errorf("program %s: SEC(\"%s\") is not a hook run can attach (%s)", textsafe.Escape(p.Name), textsafe.Escape(p.Section), kindList())
		}
		if (kind == probe.Uprobe || kind == probe.Uretprobe) && !strings.Contains(target, ":") {
			// SEC("uprobe") or SEC("uretprobe/readline"): the binary is the loader's to say.
			return nil, fmt.Errorf("program %s: SEC(\"%s\") names no binary, as its loader would: say where with --%s BINARY:SYMBOL=%s", textsafe.Escape(p.Name), textsafe.Escape(p.Section), kind, textsafe.Escape(p.Name))
		}
		if kind == probe.USDT && strings.Count(target, ":") < 2 {
			return nil, fmt.Errorf("program %s: SEC(\"%s\") names no USDT probe, as its loader would: say where with --usdt BINARY:PROVIDER:NAME=%s", textsafe.Escape(p.Name), textsafe.Escape(p.Section), textsafe.Escape(p.Name))
		}
		out = append(out, runplan.Attach{Program: p.Name, Kind: runplan.AttachKind(kind), Target: target})
	}
	out = append(out, flags...)
	if len(out) == 0 {
		return nil, errors.New("the object has no programs")
	}
	return groupAlternatives(out), nil
}

func kindList() string {
	var names []string
	for _, k := range runplan.Kinds {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// alternatives are kinds that see the same event, best first: libbpf-tools
// ship both of a pair (tp_btf/X and raw_tp/X, fentry/F and kprobe/F) and
// their loaders attach one, by what the kernel has. Attaching both would
// count every event twice.
var alternatives = [][]runplan.AttachKind{
	{runplan.TpBTF, runplan.RawTracepoint},
	{runplan.Fentry, runplan.Kprobe},
	{runplan.Fexit, runplan.Kretprobe},
}

// groupAlternatives makes the programs that are alternatives for one
// target a single entry: the best kind, falling back to the next. Two
// programs of the same kind on one target are both wanted: not grouped.
func groupAlternatives(in []runplan.Attach) []runplan.Attach {
	type key struct {
		set    int
		target string
	}
	members := map[key][]int{} // indexes into in
	for i, a := range in {
		for set, kinds := range alternatives {
			for _, k := range kinds {
				if a.Kind == k && a.Target != "" {
					members[key{set, a.Target}] = append(members[key{set, a.Target}], i)
				}
			}
		}
	}
	merged := map[int]bool{} // entries folded into another
	replace := map[int]runplan.Attach{}
	for k, idx := range members {
		if len(idx) < 2 {
			continue
		}
		byKind := map[runplan.AttachKind]int{}
		for _, i := range idx {
			if _, dup := byKind[in[i].Kind]; dup {
				byKind = nil // same kind twice: both wanted
				break
			}
			byKind[in[i].Kind] = i
		}
		if byKind == nil {
			continue
		}
		var order []int // best first
		for _, kind := range alternatives[k.set] {
			if i, ok := byKind[kind]; ok {
				order = append(order, i)
			}
		}
		best := in[order[0]]
		best.Fallback = []runplan.Attach{in[order[1]]}
		replace[order[0]] = best
		for _, i := range order[1:] {
			merged[i] = true
		}
	}
	var out []runplan.Attach
	for i, a := range in {
		if merged[i] {
			continue
		}
		if r, ok := replace[i]; ok {
			a = r
		}
		out = append(out, a)
	}
	return out
}

// hooksFor turns an Attach into probe hooks; kprobe targets are checked
// against what the kernel can probe.
func hooksFor(a runplan.Attach, tracefs string) []probe.Hook {
	h := probe.Hook{Program: a.Program, Kind: probe.Kind(a.Kind), Target: a.Target, PID: a.PID}
	if (h.Kind == probe.Kprobe || h.Kind == probe.Kretprobe) && a.Target != "" {
		target := a.Target
		h.Target = ""
		h.Resolve = func(probe.Facts) (string, string, error) { return probeableFunc(tracefs, target) }
	}
	return []probe.Hook{h}
}

// probeableFunc finds target in available_filter_functions, or a variant
// the compiler renamed (do_sys_openat2.isra.0). Without the file (no
// ftrace) the name is taken as is and the kernel judges.
func probeableFunc(tracefs, target string) (string, string, error) {
	f, err := os.Open(filepath.Join(tracefs, "available_filter_functions"))
	if err != nil {
		return target, "", nil
	}
	defer f.Close()
	variant := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), " ") // "func [module]"
		if name == target {
			return target, "", nil
		}
		if variant == "" && strings.HasPrefix(name, target+".") {
			variant = name
		}
	}
	if variant != "" {
		return variant, fmt.Sprintf("%s was renamed %s by the compiler", target, variant), nil
	}
	return "", "", fmt.Errorf("%s cannot be probed: %w", textsafe.Escape(target), errNotProbeable)
}

// errNotProbeable: a kprobe's function is not one this kernel can probe.
var errNotProbeable = errors.New("not in available_filter_functions (inlined, renamed or blacklisted)")

// missingFunction tells a hook that failed because this kernel has no such
// function: not probeable by kprobes, or fentry's BTF target not found
// (libbpf says ESRCH).
func missingFunction(err error) bool {
	return errors.Is(err, errNotProbeable) || errors.Is(err, syscall.ESRCH)
}

// syscallFunc matches kernel functions that are a syscall's entry.
var syscallFunc = regexp.MustCompile(`^(?:__x64_|__arm64_|__riscv_|__s390x_|__ia32_|__se_|__do_)?sys_([a-z0-9_]+)$`)

// syscallTracepoints gives the syscalls:sys_enter_* tracepoints that see
// what a kprobe on function sees, or nil.
func syscallTracepoints(function string) []string {
	switch function {
	case "do_sys_openat2", "do_sys_open":
		return []string{"syscalls:sys_enter_open", "syscalls:sys_enter_openat", "syscalls:sys_enter_openat2", "syscalls:sys_enter_creat"}
	}
	if m := syscallFunc.FindStringSubmatch(function); m != nil {
		return []string{"syscalls:sys_enter_" + m[1]}
	}
	return nil
}

// fallBack moves an entry that cannot attach to another way, or says why
// there is none. reason is why its hooks failed.
func fallBack(e *entry, reason error, progs map[string]probe.Program, tracefs string) error {
	a := e.at
	if !e.moved && len(a.Fallback) > 0 {
		if len(a.Fallback) == 1 && len(a.Fallback[0].Fallback) > 0 {
			e.at = a.Fallback[0] // it has a fallback of its own: on to it next
		} else {
			e.moved = true
		}
		e.hooks = nil
		var names []string
		for _, f := range a.Fallback {
			e.hooks = append(e.hooks, hooksFor(f, tracefs)...)
			names = append(names, fmt.Sprintf("%s %s (%s)", f.Kind, textsafe.Escape(f.Target), textsafe.Escape(f.Program)))
		}
		how := fmt.Sprintf("%s %s unavailable (%v): using %s", a.Kind, textsafe.Escape(a.Target), reason, strings.Join(names, ", "))
		if e.how != "" { // further down a chain: what happened before too
			how = e.how + "; " + how
		}
		e.how = how
		return nil
	}
	if !e.moved && a.Kind == runplan.Kprobe {
		// a program that reads the probe's registers cannot run on the
		// syscall's tracepoint: an optional one is left out (below)
		if tps := syscallTracepoints(a.Target); tps != nil && !(progs[a.Program].ReadsContext && e.want.Optional) {
			if progs[a.Program].ReadsContext {
				suggest := tps[0]
				for _, tp := range tps {
					if strings.HasSuffix(tp, "_openat") { // what most opens use
						suggest = tp
					}
				}
				return fmt.Errorf("program %s: kprobe %s unavailable (%v), and it reads the probe's registers, which a tracepoint does not have: use SEC(\"tracepoint/%s\") and read the syscall's arguments from its record", textsafe.Escape(a.Program), textsafe.Escape(a.Target), reason, strings.ReplaceAll(suggest, ":", "/"))
			}
			e.moved = true
			e.hooks = nil
			for _, tp := range tps {
				e.hooks = append(e.hooks, probe.Hook{Program: a.Program, Kind: probe.Tracepoint, Target: tp})
			}
			e.how = fmt.Sprintf("kprobe %s unavailable (%v): it reads no registers, so it runs as a tracepoint program on %s", textsafe.Escape(a.Target), reason, strings.Join(tps, ", "))
			return nil
		}
	}
	if e.loaderChooses && missingFunction(reason) {
		e.dropped = true
		e.how = fmt.Sprintf("%s %s: this kernel has no such function: left out, as its loader leaves out programs for functions the kernel does not have", a.Kind, textsafe.Escape(a.Target))
		return nil
	}
	if e.want.Optional {
		e.dropped = true
		e.how = fmt.Sprintf("%s %s unavailable (%v): left out (optional)", a.Kind, textsafe.Escape(a.Target), reason)
		return nil
	}
	if e.moved && e.how != "" { // its fallback failed too: say both, not one kind with the other's reason
		return fmt.Errorf("program %s: %s; that failed too: %v", textsafe.Escape(a.Program), e.how, reason)
	}
	hint := ""
	switch a.Kind {
	case runplan.Kprobe, runplan.Kretprobe:
		hint = ": a portable alternative is a tracepoint, e.g. SEC(\"tracepoint/syscalls/sys_enter_openat\") (see /sys/kernel/tracing/events)"
	case runplan.Fentry, runplan.Fexit, runplan.TpBTF:
		hint = ": kprobes or tracepoints work on more kernels"
	}
	return fmt.Errorf("program %s: %s %s: %v%s", textsafe.Escape(a.Program), a.Kind, textsafe.Escape(a.Target), reason, hint)
}
