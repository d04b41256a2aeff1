package lesson

// libbpf is linked statically from Debian's libbpf-dev (libbpf.a), with its
// dependencies libelf, zlib and zstd, so the examples run without libbpf
// installed.

// #cgo LDFLAGS: -l:libbpf.a -lelf -lz -lzstd
import "C"
