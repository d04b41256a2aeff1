// Package opens runs `ebpf-hello open`: the tutorial's improved program,
// one event per file open, printed as TIME(s) COMM PID FILE.
//
// Data flow: open.bpf.c → perf event array or ring buffer → probe.Samples
// (raw bytes) → event.Decode → output.OpenPrinter → stdout.
//
// Files: run.go (load, attach, print until the end), stream.go (the read,
// decode and print loop), stats.go (the counts and loss warnings), spec.go
// (options to open.bpf.c's spec). The options are internal/options.Open.
package opens
