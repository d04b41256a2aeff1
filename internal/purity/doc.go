// Package purity says which packages must stay plain Go: formatters,
// parsers, decoders, option validation and doctor's checks build and test
// with CGO_ENABLED=0 and without `make` (no libbpf, no compiled BPF
// objects). pure.txt lists them; its test checks them and makes every new
// package be classified; `make test` also runs their tests with
// CGO_ENABLED=0.
package purity
