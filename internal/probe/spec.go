package probe

import (
	"fmt"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
)

// Kind is how one BPF program hooks the kernel, named like libbpf's SEC() prefixes.
type Kind string

// The kinds of hooks.
const (
	Kprobe        Kind = "kprobe"         // Target: kernel function
	Kretprobe     Kind = "kretprobe"      // Target: kernel function
	Fentry        Kind = "fentry"         // Target: kernel function, by its BTF name
	Fexit         Kind = "fexit"          // Target: kernel function, by its BTF name
	Tracepoint    Kind = "tracepoint"     // Target: "category:event", e.g. "syscalls:sys_enter_openat"
	RawTracepoint Kind = "raw_tracepoint" // Target: event, e.g. "sched_switch"
	TpBTF         Kind = "tp_btf"         // Target: event, e.g. "sched_switch" (typed by BTF, like fentry)
	Uprobe        Kind = "uprobe"         // Target: "/path/to/binary:symbol" or "/path:0xoffset"
	Uretprobe     Kind = "uretprobe"      // Target: as Uprobe
	Iter          Kind = "iter"           // Target: what it walks, e.g. "task"; read once (Loaded.ReadIters)
	USDT          Kind = "usdt"           // Target: "BINARY:PROVIDER:NAME" (a path or a library name)
	LSM           Kind = "lsm"            // Target: an LSM hook, e.g. "file_open" (BPF LSM: lsm=...,bpf)
	PerfEvent     Kind = "perf_event"     // Target: samples per second on each CPU ("": DefaultFreq), cpu-clock
	XDP           Kind = "xdp"            // Target: a network interface
	TC            Kind = "tc"             // Target: "IFACE" (ingress) or "IFACE:egress"
	SocketFilter  Kind = "socket"         // Target: a network interface (a packet socket on it)
)

// Kinds lists every kind, for messages.
var Kinds = []Kind{Kprobe, Kretprobe, Fentry, Fexit, Tracepoint, RawTracepoint, TpBTF, Uprobe, Uretprobe, Iter, USDT, LSM, PerfEvent, XDP, TC, SocketFilter}

// Facts are what a Resolver may look at to pick a target.
type Facts struct {
	Version kernel.Version
	Tracefs string // tracefs root, "" when not mounted
}

// Resolver picks a hook's target on this kernel, with a note saying why it
// is not the obvious one ("" when it is). open's is kernel.ResolveOpenFunc.
type Resolver func(Facts) (target, note string, err error)

// Hook is one BPF program (by its C function name) and where it attaches.
// The same program may appear in several hooks (one per tracepoint, say).
//
// A program is loaded as the type its Kind needs, whatever its SEC() says:
// a SEC("kprobe/...") program may attach as a Tracepoint if it reads no
// registers. Tracepoints missing on this kernel are skipped; a way fails
// only when none of its tracepoints exist.
type Hook struct {
	Program string
	Kind    Kind
	Target  string
	Resolve Resolver // when set, gives Target on this kernel
	// PID limits a USDT hook to one process (BCC's USDT(pid=N)); its
	// executable and libraries are searched when Target names no binary.
	PID int
}

// Way is one way of attaching an object: a set of hooks that work together.
// Load tries a Spec's ways in order; programs the chosen way does not name
// are not loaded at all.
type Way struct {
	Label string // e.g. "kprobe", "fentry", "tracepoint": what --attach names
	Hooks []Hook
}

// Spec is a BPF object and how to attach it: plain data, no callbacks.
type Spec struct {
	Name   string // file name for messages, e.g. "hello.bpf.o"
	Object []byte // the compiled ELF object, or
	Path   string // a file holding it (when Object is nil)
	Ways   []Way
	// Globals sets global variables (const volatile in .rodata, or in
	// .data/.bss) before load. Values are checked against the variable's
	// BTF type: integers must fit (a negative value in an unsigned, 300 in a
	// __u8 is an error), strings fill char arrays (with room for the NUL),
	// []byte or [N]byte must match the size of any other type, and a string
	// for an integer variable is parsed as a number ("0x10", "-1", "true").
	Globals map[string]any
	// MapSizes sets maps' max_entries before load; a ring buffer's is its size in bytes.
	MapSizes map[string]uint32
	// MapValueSizes sets maps' value_size before load (a stack trace map's
	// loader sets it from the stack depth it wants).
	MapValueSizes map[string]uint32
	// LoadOnly are programs loaded but attached nowhere, each as the
	// program type of a kind: tail-call targets, which run when a program
	// of that type jumps to them through a program array.
	LoadOnly map[string]Kind
	// Buffers are the perf event arrays and ring buffers to read, opened
	// after load and before attach so no event is written before a reader
	// exists (perf output fails then). Loaded.Readers holds them by map name.
	Buffers []Buffer
}

// Buffer is a perf event array or ring buffer map to read.
type Buffer struct {
	Map   string
	Pages int // perf: pages per CPU (a power of two); ring: unused (see MapSizes)
}

// Options say how to load.
type Options struct {
	Way     string // label of the only way to try; "" or "auto" tries them all in order
	Tracefs string // tracefs root, needed for tracepoints ("" if not mounted)
}

// Skipped is a way Load tried and passed over, with the reason.
type Skipped struct {
	Way    string
	Reason error
}

func (s Skipped) String() string { return fmt.Sprintf("%s: %v", s.Way, s.Reason) }

func joinSkipped(skipped []Skipped) string {
	parts := make([]string, len(skipped))
	for i, s := range skipped {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}

// HookError is a hook that could not attach: which program, where, and why.
type HookError struct {
	Hook Hook
	Err  error
}

func (e *HookError) Error() string { return e.Err.Error() }
func (e *HookError) Unwrap() error { return e.Err }
