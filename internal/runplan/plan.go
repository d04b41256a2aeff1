// Package runplan is what `ebpf-hello run` is asked to do with a BPF
// object: which programs to attach where, and how to show what they
// produce. It is plain data. The BCC front end fills it from a Python
// script (BPF(...), attach_kprobe(...), trace_print(), ...); for a
// libbpf-style program it is mostly empty and `run` infers the rest from
// the object itself (SEC() names, maps, bpf_printk calls).
package runplan

import "time"

// AttachKind is how a program hooks the kernel, named like libbpf's SEC() prefixes.
type AttachKind string

// The attach kinds `run` knows.
const (
	Kprobe        AttachKind = "kprobe"
	Kretprobe     AttachKind = "kretprobe"
	Fentry        AttachKind = "fentry"
	Fexit         AttachKind = "fexit"
	Tracepoint    AttachKind = "tracepoint"
	RawTracepoint AttachKind = "raw_tracepoint"
	TpBTF         AttachKind = "tp_btf"
	Uprobe        AttachKind = "uprobe"
	Uretprobe     AttachKind = "uretprobe"
	Iter          AttachKind = "iter"       // a BPF iterator: read once, what it writes printed
	USDT          AttachKind = "usdt"       // Target: "BINARY:PROVIDER:NAME"
	LSM           AttachKind = "lsm"        // Target: an LSM hook, e.g. "file_open"
	PerfEvent     AttachKind = "perf_event" // Target: samples per second on each CPU (cpu-clock)
	XDP           AttachKind = "xdp"        // Target: a network interface
	TC            AttachKind = "tc"         // Target: "IFACE" (ingress) or "IFACE:egress"
	SocketFilter  AttachKind = "socket"     // Target: a network interface
)

// Kinds lists every attach kind (the loader's probe.Kinds has the same
// names: a test in internal/runner holds them equal).
var Kinds = []AttachKind{Kprobe, Kretprobe, Fentry, Fexit, Tracepoint, RawTracepoint, TpBTF, Uprobe, Uretprobe, Iter, USDT, LSM, PerfEvent, XDP, TC, SocketFilter}

// Known: k is one of Kinds.
func (k AttachKind) Known() bool {
	for _, known := range Kinds {
		if k == known {
			return true
		}
	}
	return false
}

// Attach asks for one program of the object to be attached.
type Attach struct {
	Program string // the BPF program's name (its C function) in the object
	Kind    AttachKind
	// Target is where: a kernel function (kprobe, fentry), "category:event"
	// (tracepoint), an event name (raw_tracepoint), or "binary:symbol"
	// (uprobe; binary is a path or a library name such as "c").
	Target string
	// Fallback lists programs of the same object that do the same work from
	// other hooks (e.g. syscalls:sys_enter_openat for a kprobe on
	// do_sys_openat2), attached together when this one cannot attach here.
	Fallback []Attach
	// Optional: when Target does not exist on this kernel (and no Fallback
	// attaches), go on without it, as a script's
	// `if BPF.get_kprobe_functions(b"X"): b.attach_kprobe(event="X", ...)` does.
	Optional bool `json:",omitempty"`
	// PID limits a USDT hook to one process, as BCC's USDT(pid=N) does;
	// Target may then leave out the binary and provider (":" + ":NAME"):
	// they are found in the process's executable and libraries.
	PID int `json:",omitempty"`
}

// OutputKind is a way of showing what the programs produce.
type OutputKind string

// The outputs `run` can show.
const (
	TracePipe  OutputKind = "trace_pipe"  // bpf_trace_printk lines from trace_pipe
	Events     OutputKind = "events"      // perf event array or ring buffer: one row per event
	Items      OutputKind = "items"       // hash or array map: key -> value, at exit and every interval
	Log2Hist   OutputKind = "log2_hist"   // map of log2 buckets, printed like BCC's print_log2_hist
	LinearHist OutputKind = "linear_hist" // map of linear buckets, like BCC's print_linear_hist
)

// Output is one thing to show.
type Output struct {
	Kind OutputKind
	Map  string // the map's name in the object; "" for TracePipe
	// Title is what the user calls it: the map's name in their source when
	// the object's differs (renamed to avoid a vmlinux.h clash), or the
	// value label of a histogram ("bytes", "usecs").
	Title string
	// Type is the BTF name of one event's struct for Events; "" lets run
	// find it.
	Type string
	// Format of TracePipe output: "raw" (BCC's trace_print) or "fields"
	// (trace_fields); "" is run's default.
	Format string
	// Clear empties the map after each print, as scripts that call
	// .clear() in their interval loop do.
	Clear bool
	// Print, when set, is how the script prints each event (Events) or
	// trace line (TracePipe with Format "fields"): run formats rows with it
	// (internal/pyfmt) instead of its own table.
	Print *Print
	// ByKey and Reverse are the order of a script's items() loop
	// (sorted(..., key=lambda kv: kv[0]...), reverse=True); by default
	// items are sorted by value, the largest last.
	ByKey   bool `json:",omitempty"`
	Reverse bool `json:",omitempty"`
	// Pages is the perf buffer's size per CPU a script asked for
	// (open_perf_buffer(cb, page_cnt=N)), at most MaxPages; 0 lets run
	// size it.
	Pages int `json:",omitempty"`
}

// MaxPages bounds a plan's perf buffer pages per CPU (128 MiB of 4 KiB
// pages); run keeps all CPUs' buffers within its own total as well.
const MaxPages = 1 << 15

// Print is a BCC script's print() of one event or trace line, reduced to a
// Python %-format and the values that fill its conversions, in order.
type Print struct {
	Format string // e.g. "%-18.9f %-16s %-6d %-16s"
	Args   []PrintArg
	// Braces says Format is a str.format() template with automatic fields
	// ("{:<6} {}"), from an f-string or a .format() call.
	Braces bool `json:",omitempty"`
	// Head lines are printed before the rows each time a map is printed
	// (Items): the column titles a script prints just before its items()
	// loop.
	Head []string `json:",omitempty"`
}

// PrintArg is one value of a Print.
type PrintArg struct {
	// Field is the event struct's field, or for trace lines one of
	// trace_fields()'s task, pid, cpu, flags, ts (seconds), msg, or for
	// map items key, value, key.FIELD, value.FIELD. "" means Text.
	Field string
	Text  string // a literal value when Field is ""
	// Since subtracts the first row's value of Field (the scripts'
	// `if start == 0: start = event.ts` idiom).
	Since bool
	// Scale divides the value (1e9 turns nanoseconds into seconds); 0 is 1.
	Scale float64
	// Clock, when set, is a strftime format: the value is the wall clock
	// when the row is printed (the scripts' strftime("%H:%M:%S") column).
	Clock string `json:",omitempty"`
	// Convert is the script's own conversion of the field, one of the
	// Convert* values: inet_ntop(AF_INET, pack("I", e.saddr)) is ConvertIPv4.
	Convert string `json:",omitempty"`
	// Shift and Mask take bits of an integer field, as a script's
	// event.id >> 32 (the PID in bpf_get_current_pid_tgid()'s value) and
	// event.id & 0xffffffff (the thread ID) do: shifted right, then ANDed
	// with Mask when it is not 0. Applied before Since and Scale.
	Shift uint8  `json:",omitempty"`
	Mask  uint64 `json:",omitempty"`
}

// The conversions of a PrintArg, as a script writes them in Python.
const (
	ConvertIPv4  = "ipv4"  // inet_ntop(AF_INET, pack("I", x)), inet_ntoa(pack("I", x))
	ConvertIPv6  = "ipv6"  // inet_ntop(AF_INET6, x)
	ConvertNtohs = "ntohs" // socket.ntohs(x)
	ConvertNtohl = "ntohl" // socket.ntohl(x)
)

// Plan is everything `run` was told beyond the object itself.
type Plan struct {
	// Attach lists the programs to attach. Empty: every program is attached
	// by its SEC() name.
	Attach []Attach
	// Outputs lists what to show. Empty: run infers it from the object.
	Outputs []Output
	// Globals are const volatile globals to set before load (name -> value
	// as text, parsed by the global's BTF type), from --set or a script's
	// text substitutions.
	Globals map[string]string
	// Interval, when set, prints map outputs every Interval as well as at exit.
	Interval time.Duration
	// Notes are what the front end could not infer or chose to ignore, in a
	// few words each; run prints them on stderr before starting.
	Notes []string
	// Header lines are printed on stdout once attached, before any output
	// (a script's top-level print() calls, e.g. hello2.py's column titles).
	Header []string
	// MapWrites are the values a script writes into the program's maps
	// before it starts tracing, for run to write once the object is loaded.
	MapWrites []MapWrite `json:",omitempty"`
	// NetworkOrder names the port fields the source fills in network order
	// (NetworkOrderFields), for run to show in host order.
	NetworkOrder []string `json:",omitempty"`
	// EventTypes names the struct each perf or ring buffer map is sent, as
	// read from a libbpf-style program's source (EventTypes), by map.
	EventTypes map[string]string `json:",omitempty"`
}

// MapWrite is one value a script writes into a map before tracing:
// b["config"][ct.c_int(0)] = ct.c_int(1) is Key "0", Value "1". For a
// program array (tail calls), the slot gets a program's descriptor:
// fn = b.load_func("f", BPF.KPROBE); prog_array[ct.c_int(2)] = ct.c_int(fn.fd)
// is Key "2", Program "f". Keys and values are integers of the map's key
// and value size (see Bytes).
type MapWrite struct {
	Map   string // the map's name in the object
	Key   string // an integer, as text
	Value string `json:",omitempty"` // an integer, as text ("" with Program)
	// Program is the program of the object whose descriptor the slot of
	// a program array gets. It is attached nowhere: it runs when a program
	// of Callers tail-calls it, and must be loaded as their type (a
	// tracepoint program when they run on their tracepoint fallbacks).
	Program string   `json:",omitempty"`
	Callers []string `json:",omitempty"`
	// Kind is how the script loaded Program (b.load_func(name, BPF.KPROBE)).
	Kind AttachKind `json:",omitempty"`
}
