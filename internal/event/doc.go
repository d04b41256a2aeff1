// Package event decodes the samples the built-in programs send: open_event
// (open.bpf.c) and exec_event (exec.bpf.c).
//
// The C definitions in bpf/open.h and bpf/exec.h are the one source of
// truth; rawOpen and rawExec mirror them byte for byte, and layout_test.go
// checks them and the constants against the BTF of the compiled objects, so
// the two sides cannot drift apart unnoticed. Pure Go: it builds and tests
// with CGO_ENABLED=0.
package event
