package doctor

import (
	"context"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

var (
	mRunNoClang   = msg{"run: clang not found (%v): .bpf.c and BCC programs cannot be compiled; a .bpf.o still runs", "run：未找到 clang（%v）：无法编译 .bpf.c 和 BCC 程序；.bpf.o 仍可运行"}
	mRunClangHint = msg{"install clang (Debian: apt install clang)", "安装 clang（Debian：apt install clang）"}
	mRunNoCompile = msg{"run: clang %s cannot compile a tiny program: %v", "run：clang %s 无法编译一个极小的程序：%v"}
	mRunNoLoad    = msg{"run: clang %s compiles, but the program does not load: %v", "run：clang %s 能编译，但程序无法加载：%v"}
	mRunOK        = msg{"run: clang %s compiles a tiny program and the kernel loads it", "run：clang %s 能编译极小的程序，内核也能加载它"}
	mRunCompiles  = msg{"run: clang %s compiles a tiny program (loading it needs root)", "run：clang %s 能编译极小的程序（加载需要 root）"}
)

// tinyProgram is what `run` is checked with: libbpf-style C on a syscall
// tracepoint every kernel with tracefs has.
const tinyProgram = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_getpid")
int run_doctor(void *ctx) { return 0; }
`

// checkRun: can `run` work here? clang present, a tiny program compiles
// and (as root) loads and attaches.
func (d *doctor) checkRun() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, version, err := compile.ClangVersion(ctx)
	if err != nil {
		d.add("run", Warn, mRunNoClang.in(d.lang, err), mRunClangHint.in(d.lang))
		return
	}
	obj, err := compile.Object(ctx, compile.Source{Text: []byte(tinyProgram), Name: "doctor.bpf.c"})
	if err != nil {
		d.add("run", Warn, mRunNoCompile.in(d.lang, version, firstLine(err.Error())), "")
		return
	}
	if !d.root || d.tracefs == "" {
		d.add("run", OK, mRunCompiles.in(d.lang, version), "")
		return
	}
	spec := probe.Spec{Name: "doctor.bpf.o", Object: obj, Ways: []probe.Way{{Label: "tracepoint",
		Hooks: []probe.Hook{{Program: "run_doctor", Kind: probe.Tracepoint}}}}}
	l, err := probe.Load(spec, probe.Options{Tracefs: d.tracefs})
	if err != nil {
		d.add("run", Warn, mRunNoLoad.in(d.lang, version, errorsUnwrapped(err)), "")
		return
	}
	l.Close()
	d.add("run", OK, mRunOK.in(d.lang, version), "")
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
