// Package bccrun is what `ebpf-hello run` does with a BCC program before
// compiling it: read the Python script (never running it), find its C,
// apply its substitutions, translate the C (internal/bcc) and merge what
// the script asks to show into the plan.
package bccrun

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/bccpy"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
)

// Input is run's file and BCC flags.
type Input struct {
	Path   string           // a BCC Python script (.py) or BCC-dialect C
	Text   []byte           // Path's contents, when read already (nil: read here)
	Src    string           // --src: the C file to use instead of the script's
	Attach []runplan.Attach // --kprobe and friends, after the script's
	// Args are the script's own arguments (given to run after --): its
	// sys.argv[1:], read by its argparse options.
	Args []string
	// Options for the translation (Tracefs, KernelNames, Arch); Attach and
	// Globals are filled here.
	Options bcc.Options
	// Elsewhere: the object is compiled to run on another machine (run
	// --emit-object), so a script's checks of the kernel's functions are
	// not decided on this one: its branches stay a chain of alternatives,
	// tried where the object runs.
	Elsewhere bool
}

// IsScript tells a BCC Python script by its name or its first line.
func IsScript(path string, text []byte) bool {
	if strings.HasSuffix(path, ".py") {
		return true
	}
	first, _, _ := bytes.Cut(text, []byte("\n"))
	return bytes.HasPrefix(first, []byte("#!")) && bytes.Contains(first, []byte("python"))
}

// includesVmlinux: libbpf-style C includes vmlinux.h (a comment naming it does not count).
var includesVmlinux = regexp.MustCompile(`(?m)^\s*#\s*include\s*[<"]vmlinux\.h[>"]`)

// IsBCC tells BCC-dialect C from libbpf-style C: a .bpf.c file, or one
// with SEC() annotations or vmlinux.h, is libbpf-style.
func IsBCC(path string, text []byte) bool {
	if strings.HasSuffix(path, ".bpf.c") || strings.HasSuffix(path, ".o") {
		return false
	}
	return !bytes.Contains(text, []byte("SEC(\"")) && !includesVmlinux.Match(text)
}

// Prepare reads in.Path (and the C it names) and returns the translated
// program, whose Plan says what to attach and show.
func Prepare(in Input) (*bcc.Program, error) {
	text := in.Text
	if text == nil {
		var err error
		if text, err = safefile.Read(in.Path, "the program", safefile.MaxSource); err != nil {
			return nil, err
		}
	}
	if !IsScript(in.Path, text) {
		if len(in.Args) > 0 {
			return nil, fmt.Errorf("arguments after -- are a Python script's own; %s is C", filepath.Base(in.Path))
		}
		if in.Src != "" {
			return nil, fmt.Errorf("--src is for a Python script; %s is the C program itself", filepath.Base(in.Path))
		}
		in.Options.Attach = in.Attach
		p, err := bcc.Translate(text, in.Path, in.Options)
		if err != nil {
			return nil, err
		}
		return withPlanLine(p), nil
	}
	opts := bccpy.Options{Args: in.Args, Arch: in.Options.Arch, Sysctl: sysctls(text), StructFields: structFields(text)}
	kernelNote := ""
	if (bytes.Contains(text, []byte("get_kprobe_functions")) || bytes.Contains(text, []byte("event_re"))) && !in.Elsewhere {
		opts.Kernel, kernelNote = kernelFunctions(in.Options.Tracefs)
	}
	s, err := bccpy.ReadWith(text, in.Path, opts)
	if err != nil {
		return nil, err
	}
	if kernelNote != "" {
		s.Plan.Notes = append(s.Plan.Notes, s.Name+": "+kernelNote)
	}
	cPath, c, err := source(in, s)
	if err != nil {
		return nil, err
	}
	in.Options.Attach = append(append([]runplan.Attach(nil), s.Attach...), in.Attach...)
	in.Options.Globals = s.Globals
	in.Options.Load = s.Loads
	in.Options.Defines = s.Defines
	substituted, err := s.Substitute(c)
	if err != nil {
		return nil, err
	}
	p, err := bcc.Translate(substituted, cPath, in.Options)
	if err != nil {
		return nil, err
	}
	if len(s.Plan.Outputs) > 0 {
		p.Plan.Outputs = s.Plan.Outputs
		resolveOutputs(p, s)
	}
	p.Plan.Header = s.Plan.Header
	for _, o := range p.Plan.Outputs {
		if o.Kind == runplan.Events && o.Print == nil && len(p.Plan.Header) > 0 {
			// run's own table has its own column titles
			p.Plan.Header = nil
			s.Plan.Notes = append(s.Plan.Notes, fmt.Sprintf("%s: the script's header is not printed: run shows %s's events in its own columns", s.Name, o.Map))
			break
		}
	}
	p.Plan.Interval = s.Plan.Interval
	if p.Plan.MapWrites, err = mapWrites(p, s); err != nil {
		return nil, err
	}
	p.Plan.Notes = append(s.Plan.Notes, p.Plan.Notes...)
	return withPlanLine(p), nil
}

// withPlanLine ends the generated C with its plan, so that the C saved by
// run --emit runs on its own exactly as the BCC program does.
func withPlanLine(p *bcc.Program) *bcc.Program {
	p.C = append(p.C, "\n/* What the BCC program's Python side asked for: ebpf-hello run reads it. */\n"...)
	p.C = append(p.C, p.Plan.SourceLine()...)
	return p
}

// source finds the script's C: --src, BPF(text=...), or BPF(src_file=...)
// next to the script.
func source(in Input, s *bccpy.Script) (string, []byte, error) {
	if in.Src != "" {
		c, err := safefile.Read(in.Src, "--src", safefile.MaxSource)
		return in.Src, c, err
	}
	if s.SourceFile == "" {
		return s.Name + " (BPF text)", s.Text, nil
	}
	dir := filepath.Dir(in.Path)
	path := s.SourceFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	c, err := safefile.Read(path, "src_file", safefile.MaxSource)
	if err == nil {
		return path, c, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", nil, err
	}
	// The tutorial's hello2.py loads trace-open.c, but its file is hello2.c.
	guess := strings.TrimSuffix(filepath.Base(in.Path), filepath.Ext(in.Path)) + ".c"
	if _, err := os.Stat(filepath.Join(dir, guess)); err == nil && guess != filepath.Base(s.SourceFile) {
		return "", nil, fmt.Errorf("%s loads src_file=%q, which is not in %s; %s is: run it with --src %s",
			s.Name, s.SourceFile, dirName(dir), guess, filepath.Join(dir, guess))
	}
	return "", nil, fmt.Errorf("%s loads src_file=%q, which is not in %s: pass the C file with --src FILE", s.Name, s.SourceFile, dirName(dir))
}

func dirName(dir string) string {
	if dir == "." {
		return "the current directory"
	}
	return dir
}

// mapWrites are the script's map writes with the object's map names and,
// for a program array, the functions that tail-call through it. A map the
// program does not declare is an error, as in BCC (a KeyError).
func mapWrites(p *bcc.Program, s *bccpy.Script) ([]runplan.MapWrite, error) {
	var out []runplan.MapWrite
	for _, w := range s.Plan.MapWrites {
		internal, ok := p.MapNames[w.Map]
		if !ok {
			return nil, fmt.Errorf("%s writes into map %q, which the BPF program does not declare", s.Name, w.Map)
		}
		w.Map = internal
		w.Callers = p.TailCallers[internal]
		if w.Program != "" && len(w.Callers) == 0 {
			p.Plan.Notes = append(p.Plan.Notes, fmt.Sprintf("%s: %s is put into %s, which no function tail-calls through (%s.call(ctx, N))", s.Name, w.Program, w.Map, w.Map))
		}
		out = append(out, w)
	}
	return out, nil
}

// resolveOutputs gives the script's outputs the object's names: a map
// renamed for vmlinux.h, and the event struct the C sends.
func resolveOutputs(p *bcc.Program, s *bccpy.Script) {
	byName := map[string]runplan.Output{}
	for _, o := range p.Maps {
		name := o.Title
		if name == "" {
			name = o.Map
		}
		byName[name] = o
	}
	for k := range p.Plan.Outputs {
		o := &p.Plan.Outputs[k]
		d, ok := byName[o.Map]
		if !ok || o.Map == "" {
			continue
		}
		if d.Map != o.Map { // renamed in the object
			if o.Title == "" || o.Kind == runplan.Items || o.Kind == runplan.Events {
				o.Title = o.Map
			}
			o.Map = d.Map
		}
		if o.Type == "" {
			o.Type = d.Type
		}
	}
}
