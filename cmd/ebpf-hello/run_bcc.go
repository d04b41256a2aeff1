package main

import (
	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
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
