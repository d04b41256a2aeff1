package probe

import (
	"fmt"
	"strings"
)

// Mode is a way of hooking file opens.
type Mode string

// The attach modes, in the order Auto tries them.
const (
	Auto       Mode = "auto"
	Kprobe     Mode = "kprobe"
	Fentry     Mode = "fentry"
	Tracepoint Mode = "tracepoint"
)

// Chain is the order Auto tries the modes in.
var Chain = []Mode{Kprobe, Fentry, Tracepoint}

// ParseMode checks a --attach value.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Auto, Kprobe, Fentry, Tracepoint:
		return m, nil
	}
	return "", fmt.Errorf("invalid --attach %q: want auto, kprobe, fentry or tracepoint", s)
}

// HookKind says how one BPF program attaches.
type HookKind int

// The kinds of hooks.
const (
	KprobeEntry  HookKind = iota // kprobe on the open function
	KprobeReturn                 // kretprobe on the open function
	FentryEntry                  // fentry or fexit on the open function (the SEC name says which)
	// SECTracepoint is the tracepoint the program's SEC("tracepoint/CATEGORY/NAME")
	// names. One missing on this kernel (no open(2) on arm64, no openat2
	// before 5.6) is switched off; the mode fails only when all of its are missing.
	SECTracepoint
	// SyscallTracepoints attaches one program to each syscalls tracepoint in
	// Hook.Tracepoints that exists (the examples' way; the built-in programs
	// use one SECTracepoint program per tracepoint instead).
	SyscallTracepoints
)

// Hook is one BPF program (by its C function name) and where it attaches.
type Hook struct {
	Program string
	Kind    HookKind
	// Tracepoints lists syscalls tracepoints for SyscallTracepoints hooks.
	Tracepoints []string
}

// Spec describes one BPF object and the programs each mode uses.
type Spec struct {
	Name   string // file name for messages, e.g. "hello.bpf.o"
	Object []byte // the compiled ELF object
	Hooks  map[Mode][]Hook
	// Output, if set, is the buffer the programs send events through. Load
	// opens its reader after loading and before attaching: an event sent to
	// a perf event array nobody reads yet fails (-ENOENT) and is lost.
	Output *Output
	// Configure, if set, runs after the object is opened and before it is
	// loaded: the moment to set const volatile knobs and map sizes.
	Configure func(*Object) error
}

// Output names a buffer map and how to read it.
type Output struct {
	Map   string // the BPF map
	Ring  bool   // a BPF ring buffer; otherwise a perf event array
	Pages int    // perf event array: pages per CPU (a power of two)
}

// Skipped is a mode the chain tried and passed over, with the reason.
type Skipped struct {
	Mode   Mode
	Reason error
}

func (s Skipped) String() string { return fmt.Sprintf("%s: %v", s.Mode, s.Reason) }

func joinSkipped(skipped []Skipped) string {
	parts := make([]string, len(skipped))
	for i, s := range skipped {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}
