package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/bccrun"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// bccFlags are run's flags for BCC programs: they mirror the BCC Python
// calls a script would make.
func bccFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "kprobe", Usage: "attach BCC function `EVENT=FN` as b.attach_kprobe(event=EVENT, fn_name=FN) does (sys_X: the syscall, as get_syscall_fnname names it)"},
		&cli.StringSliceFlag{Name: "kretprobe", Usage: "attach `EVENT=FN` as b.attach_kretprobe(...)"},
		&cli.StringSliceFlag{Name: "tracepoint", Usage: "attach `CAT:EVENT=FN` as b.attach_tracepoint(tp=\"CAT:EVENT\", ...)"},
		&cli.StringSliceFlag{Name: "raw-tracepoint", Usage: "attach `EVENT=FN` as b.attach_raw_tracepoint(...)"},
		&cli.StringSliceFlag{Name: "uprobe", Usage: "attach `LIB:SYM=FN` as b.attach_uprobe(name=LIB, sym=SYM, fn_name=FN)"},
		&cli.StringSliceFlag{Name: "uretprobe", Usage: "attach `LIB:SYM=FN` as b.attach_uretprobe(...)"},
		&cli.StringSliceFlag{Name: "usdt", Usage: "attach libbpf-style program `BINARY:PROVIDER:NAME=FN` to a USDT probe (sys/sdt.h's DTRACE_PROBE) in every process running BINARY (a path, or a library such as c)"},
		&cli.StringFlag{Name: "src", Usage: "the BCC C `FILE` a Python script loads, instead of its BPF(src_file=...)"},
		&cli.BoolFlag{Name: "emit", Usage: "print the libbpf-style C generated from a BCC program, and stop (it runs on its own with ebpf-hello run)"},
	}
}

// bccAttachFlags are the flags that say where a BCC function attaches.
var bccAttachFlags = []struct {
	flag string
	kind runplan.AttachKind
}{{"kprobe", runplan.Kprobe}, {"kretprobe", runplan.Kretprobe}, {"tracepoint", runplan.Tracepoint},
	{"raw-tracepoint", runplan.RawTracepoint}, {"uprobe", runplan.Uprobe}, {"uretprobe", runplan.Uretprobe},
	{"usdt", runplan.USDT}}

// bccProgram is a BCC program made ready for run: the generated
// libbpf-style C and what to attach and show.
type bccProgram struct {
	Name string // the generated file's name, for clang's messages
	C    []byte
	Plan runplan.Plan
}

// prepareBCC translates path when it is a BCC Python script or BCC-dialect
// C; ok is false for libbpf-style C and objects, which run takes as they are.
func prepareBCC(c *cli.Context, path string, text []byte, scriptArgs []string) (prog *bccProgram, ok bool, err error) {
	if !bccrun.IsScript(path, text) && !bccrun.IsBCC(path, text) {
		for _, flag := range []string{"src", "emit"} {
			if c.IsSet(flag) {
				return nil, false, fmt.Errorf("--%s does not apply to %s: it is libbpf-style C already (--%s is for BCC programs)", flag, textsafe.Escape(path), flag)
			}
		}
		if scriptArgs != nil {
			return nil, false, fmt.Errorf("arguments after -- are a BCC script's own: %s takes none (libbpf-style C is set with --set)", textsafe.Escape(path))
		}
		return nil, false, nil
	}
	if c.IsSet("usdt") {
		return nil, false, errors.New("--usdt is for libbpf-style programs (SEC(\"usdt\"), usdt.bpf.h's BPF_USDT); a BCC script names its probes with USDT(pid=N).enable_probe(...)")
	}
	in := bccrun.Input{Path: path, Text: text, Src: c.String("src"), Args: scriptArgs, Elsewhere: c.String("emit-object") != ""}
	in.Options.Arch, _ = goarchOf(c.String("arch")) // checked by checkRunFlags
	if in.Attach, err = attachFlags(c); err != nil {
		return nil, false, err
	}
	if root, err := tracefs.Find(); err == nil {
		in.Options.Tracefs = root
	}
	p, err := bccrun.Prepare(in)
	if err != nil {
		return nil, false, err
	}
	if len(p.Plan.Attach) == 0 {
		return nil, false, fmt.Errorf("%s attaches nothing: BCC names the hook in Python; say it with a flag, e.g. --kprobe do_sys_openat2=FUNCTION", path)
	}
	return &bccProgram{Name: p.Name, C: p.C, Plan: p.Plan}, true, nil
}
