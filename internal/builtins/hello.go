package builtins

import (
	"github.com/ebpf-hello/ebpf-hello/bpf"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// Hello is hello.bpf.c: one program per attach mode, printing "Hello, World!" on every open.
func Hello() probe.Spec {
	return probe.Spec{
		Name:   "hello.bpf.o",
		Object: bpf.Hello,
		Ways: []probe.Way{
			{Label: "kprobe", Hooks: []probe.Hook{{Program: "hello_kprobe", Kind: probe.Kprobe, Resolve: resolveOpenFunc}}},
			{Label: "fentry", Hooks: []probe.Hook{{Program: "hello_fentry", Kind: probe.Fentry, Target: kernel.OpenFunc}}},
			// One program per open syscall, attached where its SEC() says;
			// those this kernel lacks are switched off.
			{Label: "tracepoint", Hooks: secHooks(probe.Tracepoint, "hello_open", "hello_creat", "hello_openat", "hello_openat2")},
		},
	}
}

// resolveOpenFunc finds the open function to kprobe on this kernel.
func resolveOpenFunc(f probe.Facts) (string, string, error) {
	sym, err := kernel.ResolveOpenFunc(f.Version)
	return sym.Name, sym.Note, err
}

// secHooks attaches each program where its SEC() says.
func secHooks(kind probe.Kind, programs ...string) []probe.Hook {
	hooks := make([]probe.Hook, len(programs))
	for i, p := range programs {
		hooks[i] = probe.Hook{Program: p, Kind: kind}
	}
	return hooks
}
