package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/needs"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// checkReport is run --check's answer: whether the program would run
// here, how each of its programs attached (it was loaded and attached, then
// detached before anything was read), and what it needs of the kernel.
type checkReport struct {
	File   string      `json:"file"`
	Runs   bool        `json:"runs"`
	Error  string      `json:"error,omitempty"`
	Kernel string      `json:"kernel"`
	Attach []string    `json:"attach"`
	Needs  []checkNeed `json:"needs"`
	// Oldest is the oldest mainline kernel with everything versioned it
	// needs ("" when nothing is): distributions backport, so a guide.
	Oldest string `json:"oldest_kernel,omitempty"`
	// Printk: its programs call bpf_printk, and ran while attached: their
	// lines from that moment stay in the kernel's trace buffer.
	Printk bool `json:"printk,omitempty"`
}

type checkNeed struct {
	needs.Need
	Here *bool `json:"here"` // nil: not known without trying
}

// newCheckReport says what the object needs and whether this kernel has it.
func newCheckReport(opts Options, maps []btfview.Map, progs []probe.Program, tracefs string) *checkReport {
	release, version, _ := kernel.Release()
	r := &checkReport{File: textsafe.Escape(opts.Name), Kernel: textsafe.Escape(release)}
	p := needs.Program{MapTypes: map[string]uint32{}, Arch: runtime.GOARCH}
	for _, m := range maps {
		p.MapTypes[m.Name] = m.Type
	}
	p.AttachKinds = attachKinds(opts.Plan, progs)
	for _, prog := range progs {
		r.Printk = r.Printk || prog.CallsPrintk
	}
	p.Helpers, _ = bpfuse.Helpers(opts.Object) // unreadable code: no helper needs listed
	oldest := kernel.Version{}
	for _, n := range needs.Of(p) {
		n.Why = textsafe.Escape(n.Why)
		c := checkNeed{Need: n}
		switch {
		case n.Since != "":
			v, err := kernel.ParseRelease(n.Since + ".0")
			if err == nil {
				here := version.AtLeast(v.Major, v.Minor)
				c.Here = &here
				if !oldest.AtLeast(v.Major, v.Minor) {
					oldest = v
				}
			}
		case n.What == "kprobes":
			here := kernel.HasKprobes(tracefs)
			c.Here = &here
		case strings.HasPrefix(n.What, "the kernel's BTF"):
			here := kernel.HasBTF()
			c.Here = &here
		}
		r.Needs = append(r.Needs, c)
	}
	if oldest.Major > 0 {
		r.Oldest = strconv.Itoa(oldest.Major) + "." + strconv.Itoa(oldest.Minor)
	}
	return r
}

// attachKinds are the kinds the programs would attach as: the plan's
// (fallbacks included), else each program's SEC().
func attachKinds(plan runplan.Plan, progs []probe.Program) []string {
	var kinds []string
	var walk func([]runplan.Attach)
	walk = func(as []runplan.Attach) {
		for _, a := range as {
			kinds = append(kinds, string(a.Kind))
			walk(a.Fallback)
		}
	}
	walk(plan.Attach)
	if len(plan.Attach) == 0 {
		for _, p := range progs {
			if kind, _, ok := probe.ParseSEC(p.Section); ok {
				kinds = append(kinds, string(kind))
			}
		}
	}
	return kinds
}

// write prints the report: JSON, or lines for a person.
func (r *checkReport) write(w io.Writer, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	var b strings.Builder
	if r.Runs {
		fmt.Fprintf(&b, "check: %s runs here (Linux %s): loaded, attached and detached again; nothing was read\n", r.File, r.Kernel)
	} else {
		fmt.Fprintf(&b, "check: %s does NOT run here (Linux %s): %s\n", r.File, r.Kernel, r.Error)
	}
	for _, a := range r.Attach {
		b.WriteString("  attach: " + a + "\n")
	}
	for _, n := range r.Needs {
		line := "  needs: " + n.What
		if n.Since != "" {
			line += " (Linux " + n.Since + ")"
		}
		line += ", for " + n.Why + ": "
		switch {
		case n.Here == nil:
			line += "not known without trying"
		case *n.Here:
			line += "here"
		case r.Runs:
			line += "NOT here (the fallbacks the attach lines name are used)"
		default:
			line += "NOT here"
		}
		b.WriteString(line + "\n")
	}
	if r.Oldest != "" {
		fmt.Fprintf(&b, "  oldest kernel with all of it: Linux %s (distributions backport some)\n", r.Oldest)
	}
	if r.Printk && r.Runs {
		b.WriteString("  note: its programs ran while attached: bpf_printk lines from that moment stay in the trace buffer (run skips them; cat trace_pipe would show them)\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
