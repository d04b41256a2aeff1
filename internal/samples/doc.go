// Package samples turns the raw samples of a BPF perf or ring buffer into
// a stream in time order: read on a timer, never woken per event, and held
// a few milliseconds so a sample from one CPU's buffer slots in before a
// later one from another CPU's. It knows nothing of the samples' layout:
// the caller gives a function that reads a sample's timestamp.
//
// It is plain Go (no libbpf): internal/probe's Reader is the usual Source.
package samples
