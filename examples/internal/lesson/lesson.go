// Package lesson is what every example needs before it gets to its point:
// open a BPF object with libbpfgo, and attach a program to file opens. It
// is kept small so each example's main.go reads like the tutorial.
package lesson

import (
	"fmt"
	"os"
	"path/filepath"

	bpf "github.com/aquasecurity/libbpfgo"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Open hands a compiled BPF object to libbpf (not loaded into the kernel yet).
//
// BCC compiled the C source at run time; with libbpf it was compiled ahead
// of time by clang (see the Makefile) and embedded in the binary. libbpfgo
// can open it from a buffer, but that path always raises RLIMIT_MEMLOCK,
// which some machines refuse and kernels since 5.11 do not need; its file
// path can skip that, so the object goes through a temporary file.
func Open(name string, object []byte) (*bpf.Module, error) {
	dir, err := os.MkdirTemp("", "ebpf-hello-example-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// libbpf says a lot while it loads; keep only its warnings (they explain failures).
	bpf.SetLoggerCbs(bpf.Callbacks{Log: func(level int, msg string) {
		if level == bpf.LibbpfWarnLevel {
			fmt.Fprint(os.Stderr, msg)
		}
	}})
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, object, 0o600); err != nil {
		return nil, err
	}
	return bpf.NewModuleFromFileArgs(bpf.NewModuleArgs{BPFObjPath: path, SkipMemlockBump: true})
}

// Hooks names a program for each way of hooking file opens.
type Hooks struct {
	Kprobe      string   // the tutorial's way: kprobe on do_sys_openat2
	Tracepoint  string   // fallback: a program for the open syscalls' tracepoints
	Tracepoints []string // which ones, e.g. "sys_enter_openat"
}

// LoadAndAttach loads the module with the program the kernel supports and
// attaches it to file opens: a kprobe on do_sys_openat2 as the tutorial
// does, or, on kernels without kprobes, the syscall tracepoints. It returns
// what it attached, for the user.
func LoadAndAttach(m *bpf.Module, hooks Hooks) (string, error) {
	root, err := TracefsRoot()
	if err != nil {
		return "", err
	}
	useKprobe := kernel.HasKprobes(root)
	// Load only the program we will attach: the other may not load here.
	if err := setAutoload(m, hooks.Kprobe, useKprobe); err != nil {
		return "", err
	}
	if err := setAutoload(m, hooks.Tracepoint, !useKprobe); err != nil {
		return "", err
	}
	if err := m.BPFLoadObject(); err != nil {
		return "", fmt.Errorf("load BPF object: %w", err)
	}
	if useKprobe {
		prog, err := m.GetProgram(hooks.Kprobe)
		if err != nil {
			return "", err
		}
		if _, err := prog.AttachKprobe(kernel.OpenFunc); err != nil {
			return "", fmt.Errorf("attach kprobe to %s: %w", kernel.OpenFunc, err)
		}
		return "kprobe on " + kernel.OpenFunc, nil
	}
	prog, err := m.GetProgram(hooks.Tracepoint)
	if err != nil {
		return "", err
	}
	attached := ""
	for _, tp := range hooks.Tracepoints {
		if _, err := os.Stat(filepath.Join(root, "events", "syscalls", tp)); err != nil {
			continue // no such syscall on this kernel
		}
		if _, err := prog.AttachTracepoint("syscalls", tp); err != nil {
			return "", fmt.Errorf("attach tracepoint %s: %w", tp, err)
		}
		attached += " " + tp
	}
	return "tracepoints" + attached + " (this kernel has no kprobes)", nil
}

func setAutoload(m *bpf.Module, name string, on bool) error {
	prog, err := m.GetProgram(name)
	if err != nil {
		return fmt.Errorf("find program %s: %w", name, err)
	}
	return prog.SetAutoload(on)
}

// TracefsRoot returns where tracefs is (mounting it if needed).
func TracefsRoot() (string, error) {
	return tracefs.Ensure(func(msg string) { fmt.Fprintln(os.Stderr, msg) })
}
