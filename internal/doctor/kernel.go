package doctor

// Kernel answers what only loading BPF can tell. internal/bpfcheck asks the
// real kernel through libbpf; behind this interface, doctor's checks and
// their verdicts stay plain Go, built and tested without cgo.
type Kernel interface {
	// Buffers tries each buffer kind open offers, the default first.
	Buffers() []BufferTry
	// AttachOpen loads and attaches open's program each way, in auto's order.
	AttachOpen(tracefs string) []Attempt
	// TryRun compiles a tiny program with run's compiler and, when load is
	// true, loads and attaches it.
	TryRun(load bool, tracefs string) RunTry
}

// BufferTry is one buffer kind: "perf" or "ring".
type BufferTry struct {
	Kind string
	OK   bool
	Err  error
}

// RunTry is what TryRun found, step by step.
type RunTry struct {
	ClangErr   error  // clang not found
	Version    string // clang's version
	CompileErr error
	Loaded     bool // loading was tried
	LoadErr    error
}
