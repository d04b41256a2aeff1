// Package opens runs `ebpf-hello open`: the tutorial's improved program,
// one event per file open, printed as TIME(s) COMM PID FILE.
//
// Data flow: open.bpf.c → perf event array or ring buffer → probe.Samples
// (raw bytes) → event.Decode → output.OpenPrinter → stdout.
package opens
