// Package frontend is the first half of `ebpf-hello run`: it reads the
// FILE a learner gives (a BCC Python script, BCC-dialect C, libbpf-style
// .bpf.c or a compiled .bpf.o), once, tells which it is, translates BCC
// to libbpf-style C, compiles, and returns the BPF object with its plan
// (what to attach and show). internal/runner is the second half.
package frontend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/bccrun"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/timings"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Input is what run was given: plain data from its flags.
type Input struct {
	Path       string
	ScriptArgs []string // after --: a BCC script's own arguments (nil: none)
	Src        string   // --src: the C a BCC script's src_file names
	Attach     []runplan.Attach
	Arch       string // GOARCH to compile for ("": this machine's)
	CPU        string // clang's -mcpu ("": the compiler's choice for this kernel)
	EmitC      bool   // --emit: the generated C of a BCC program, not an object
	Elsewhere  bool   // --emit-object: compiled here, run on another machine
	Warnings   io.Writer
	Timings    *timings.Log // nil: not timed
}

// Output is FILE as a BPF object and the plan that came with it, or, with
// Input.EmitC, the libbpf-style C generated from a BCC program.
type Output struct {
	Object []byte
	Plan   runplan.Plan
	C      []byte
}

// Prepare reads in.Path and makes it a BPF object.
func Prepare(ctx context.Context, in Input) (Output, error) {
	path := in.Path
	if strings.HasSuffix(path, ".o") {
		return object(in)
	}
	// Read once: what is checked is what is compiled.
	text, err := safefile.Read(path, "the program", safefile.MaxSource)
	if err != nil {
		return Output{}, err
	}
	src := compile.Source{Path: path, Text: text, Name: filepath.Base(path), Warnings: in.Warnings, Timings: in.Timings, Arch: in.Arch, CPU: in.CPU}
	var plan *runplan.Plan
	if bccrun.IsScript(path, text) || bccrun.IsBCC(path, text) {
		p, err := translate(in, text)
		if err != nil {
			return Output{}, err
		}
		in.Timings.Mark("BCC program read and translated to libbpf C")
		if in.EmitC {
			return Output{C: p.C}, nil
		}
		src.Text, src.Name = p.C, p.Name
		plan = &p.Plan
	} else {
		if err := notBCC(in); err != nil {
			return Output{}, err
		}
		// C that `run --emit` wrote carries its plan (fallbacks included).
		if plan, err = runplan.FromSource(text); err != nil {
			return Output{}, fmt.Errorf("%s: %w", textsafe.Escape(path), err)
		}
		if types := runplan.EventTypes(text); len(types) > 0 {
			plan = orNew(plan)
			plan.EventTypes = types
		}
	}
	if ports := runplan.NetworkOrderFields(text); len(ports) > 0 {
		plan = orNew(plan)
		plan.NetworkOrder = ports
	}
	if plan != nil {
		// The object keeps the plan too, for run --emit-object.
		src.Text = append(bytes.Clone(src.Text), plan.ObjectAsm()...)
	}
	plan = orNew(plan)
	obj, err := compile.Object(ctx, src)
	if err != nil {
		return Output{Plan: *plan}, fmt.Errorf("%s: %w", textsafe.Escape(path), err)
	}
	return Output{Object: obj, Plan: *plan}, nil
}

func orNew(p *runplan.Plan) *runplan.Plan {
	if p == nil {
		return &runplan.Plan{}
	}
	return p
}

// object reads a compiled .bpf.o; one compiled by run --emit-object
// carries its plan.
func object(in Input) (Output, error) {
	path := textsafe.Escape(in.Path)
	if in.ScriptArgs != nil {
		return Output{}, fmt.Errorf("arguments after -- are a BCC script's own: %s takes none", path)
	}
	if in.Elsewhere {
		return Output{}, fmt.Errorf("%s is compiled already: --emit-object is for C (.bpf.c, BCC C or .py)", path)
	}
	obj, err := safefile.Read(in.Path, "the object", safefile.MaxObject)
	if err != nil {
		return Output{}, err
	}
	p, err := runplan.FromObject(obj)
	if err != nil {
		return Output{}, fmt.Errorf("%s: %w", path, err)
	}
	if p == nil {
		return Output{Object: obj}, nil
	}
	return Output{Object: obj, Plan: *p}, nil
}

// notBCC refuses what applies to BCC programs only, given with
// libbpf-style C.
func notBCC(in Input) error {
	path := textsafe.Escape(in.Path)
	switch {
	case in.Src != "":
		return fmt.Errorf("--src does not apply to %s: it is libbpf-style C already (--src is for BCC programs)", path)
	case in.EmitC:
		return fmt.Errorf("--emit does not apply to %s: it is libbpf-style C already (--emit is for BCC programs)", path)
	case in.ScriptArgs != nil:
		return fmt.Errorf("arguments after -- are a BCC script's own: %s takes none (libbpf-style C is set with --set)", path)
	}
	return nil
}

// translate turns a BCC script or BCC-dialect C into libbpf-style C and
// its plan.
func translate(in Input, text []byte) (*bcc.Program, error) {
	if slices.ContainsFunc(in.Attach, func(a runplan.Attach) bool { return a.Kind == runplan.USDT }) {
		return nil, errors.New("--usdt is for libbpf-style programs (SEC(\"usdt\"), usdt.bpf.h's BPF_USDT); a BCC script names its probes with USDT(pid=N).enable_probe(...)")
	}
	b := bccrun.Input{Path: in.Path, Text: text, Src: in.Src, Args: in.ScriptArgs, Elsewhere: in.Elsewhere, Attach: in.Attach}
	b.Options.Arch = in.Arch
	if root, err := tracefs.Find(); err == nil {
		b.Options.Tracefs = root
	}
	p, err := bccrun.Prepare(b)
	if err != nil {
		return nil, err
	}
	if len(p.Plan.Attach) == 0 {
		return nil, fmt.Errorf("%s attaches nothing: BCC names the hook in Python; say it with a flag, e.g. --kprobe do_sys_openat2=FUNCTION", in.Path)
	}
	return p, nil
}
