// Package bpfcheck tries, for doctor, what only the kernel can answer:
// which buffers it offers, which ways open's program attaches, whether
// run's compiler and loader work. It only asks; doctor (pure Go) decides
// what the answers mean.
package bpfcheck

import (
	"context"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/doctor"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// Kernel is doctor.Kernel on this machine's kernel.
type Kernel struct{}

// Buffers tries the perf event array (open's default) and the ring buffer.
func (Kernel) Buffers() []doctor.BufferTry {
	var tries []doctor.BufferTry
	for _, kind := range []string{options.BufferPerf, options.BufferRing} {
		ok, err := probe.BufferSupported(kind)
		tries = append(tries, doctor.BufferTry{Kind: kind, OK: ok, Err: err})
	}
	return tries
}

// AttachOpen loads open's own spec each way, exactly as the command's
// fallback chain would, so doctor and open cannot disagree.
func (Kernel) AttachOpen(tracefs string) []doctor.Attempt {
	spec := builtins.Open(builtins.OpenConfig{Buffer: options.BufferPerf, Pages: options.DefaultPerfPages, UID: -1})
	var tried []doctor.Attempt
	for _, way := range spec.Ways {
		l, err := probe.Load(spec, probe.Options{Way: way.Label, Tracefs: tracefs})
		a := doctor.Attempt{Mode: way.Label, Err: err}
		if err == nil {
			a.Where = l.Where
			l.Close()
		}
		tried = append(tried, a)
	}
	return tried
}

// tinyProgram is what `run` is checked with: libbpf-style C on a syscall
// tracepoint every kernel with tracefs has.
const tinyProgram = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_getpid")
int run_doctor(void *ctx) { return 0; }
`

// TryRun compiles tinyProgram as `run` would and, when load, loads and attaches it.
func (Kernel) TryRun(load bool, tracefs string) doctor.RunTry {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var try doctor.RunTry
	if _, try.Version, try.ClangErr = compile.ClangVersion(ctx); try.ClangErr != nil {
		return try
	}
	obj, err := compile.Object(ctx, compile.Source{Text: []byte(tinyProgram), Name: "doctor.bpf.c"})
	if try.CompileErr = err; err != nil || !load {
		return try
	}
	spec := probe.Spec{Name: "doctor.bpf.o", Object: obj, Ways: []probe.Way{{Label: "tracepoint",
		Hooks: []probe.Hook{{Program: "run_doctor", Kind: probe.Tracepoint}}}}}
	try.Loaded = true
	l, err := probe.Load(spec, probe.Options{Tracefs: tracefs})
	if try.LoadErr = err; err == nil {
		l.Close()
	}
	return try
}
