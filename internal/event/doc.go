// Package event decodes the open_event samples that open.bpf.c sends.
//
// The C definition in bpf/open.h is the one source of truth; rawOpen below
// mirrors it byte for byte, and layout_test.go checks that against the BTF
// of the compiled object, so the two cannot drift apart unnoticed.
package event
