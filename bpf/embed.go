//go:build !arm64

// Package bpf holds the BPF C sources and embeds their compiled objects.
//
// The objects are built by `make bpf` (clang -target bpf, CO-RE against a
// vmlinux.h made from this machine's BTF) and are not committed: building
// the Go binary without them fails with "pattern *.bpf.o: no matching files
// found", which means: run make. The registers a kprobe reads differ by
// architecture, so arm64 embeds its own build of them (embed_arm64.go,
// bpf/arm64/); every other architecture embeds these.
package bpf

import _ "embed"

// Hello is hello.bpf.c: bpf_trace_printk("Hello, World!") on every open (tutorial steps 1-3).
//
//go:embed hello.bpf.o
var Hello []byte

// OpenPerf is open.bpf.c sending events through a perf event array (tutorial step 4).
//
//go:embed open_perf.bpf.o
var OpenPerf []byte

// OpenRing is open.bpf.c built with -DUSE_RINGBUF: the same events through a BPF ring buffer.
//
//go:embed open_ring.bpf.o
var OpenRing []byte

// Exec is exec.bpf.c: one event per execve/execveat, with its arguments and result.
//
//go:embed exec.bpf.o
var Exec []byte
