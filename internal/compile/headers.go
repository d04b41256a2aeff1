package compile

import (
	"crypto/sha256"
	"embed"
	"errors"
	"io/fs"
	"sort"
	"sync"
)

// libbpf's BPF-side headers, copied into headers/bpf by `make` from the
// installed libbpf-dev (they are not committed: they are libbpf's files).
//
//go:embed all:headers
var embedded embed.FS

// ErrNoHeaders is returned by a binary built with plain `go build`, before
// make copied libbpf's headers into internal/compile/headers/bpf.
var ErrNoHeaders = errors.New("this ebpf-hello was built without libbpf's BPF headers (bpf_helpers.h, ...): " +
	"build it with `make`, which copies them from libbpf-dev's /usr/include/bpf")

// headerFiles lists the embedded headers by their name under "bpf/".
var headerFiles = sync.OnceValues(func() (map[string][]byte, error) {
	files := map[string][]byte{}
	entries, err := fs.ReadDir(embedded, "headers/bpf")
	if err != nil {
		return nil, ErrNoHeaders
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := embedded.ReadFile("headers/bpf/" + e.Name())
		if err != nil {
			return nil, err
		}
		files[e.Name()] = b
	}
	helpers, ok := files["bpf_helpers.h"]
	if !ok {
		return nil, ErrNoHeaders
	}
	// Ours, at the end of libbpf's: ring buffer losses counted (see the file).
	files[lostHeader] = lostCounting
	files["bpf_helpers.h"] = append(append([]byte{}, helpers...), "\n#include \""+lostHeader+"\"\n"...)
	return files, nil
})

// lostCounting makes a ring buffer's lost events visible to run.
//
//go:embed ebpf_hello_lost.h
var lostCounting []byte

const lostHeader = "ebpf_hello_lost.h"

// arm64Regs is bpf/arch/arm64.h, copied next to libbpf's headers by make:
// struct user_pt_regs for arm64 objects made against another
// architecture's vmlinux.h.
const arm64Regs = "ebpf_hello_arch_arm64.h"

// LostMap is the per-CPU array where programs compiled here count the
// events a ring buffer could not take (key 0).
const LostMap = "ebpf_hello_lost"

// headersDigest identifies the embedded headers, for the cache key.
func headersDigest(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(files[n])
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}
