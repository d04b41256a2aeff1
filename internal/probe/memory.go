package probe

/*
// libbpf is linked statically (Debian's libbpf-dev ships libbpf.a), so the
// binary runs on machines without libbpf; libelf, zlib and zstd are its
// dependencies. With this line plain `go build` and `go test` link too.
#cgo LDFLAGS: -l:libbpf.a -lelf -lz -lzstd
#include <malloc.h>
*/
import "C"

import "sync"

var mallocTuned sync.Once

// keepLoaderMemoryOutOfTheHeap makes glibc serve libbpf's large allocations
// (it parses the kernel's whole BTF, several MB, for CO-RE) with mmap, so
// freeing them returns the memory. By default glibc raises that threshold
// after the first large free, and the next load's BTF then stays resident
// in the heap: about 11 MB of RSS for the whole run after a failed attempt.
func keepLoaderMemoryOutOfTheHeap() {
	mallocTuned.Do(func() { C.mallopt(C.M_MMAP_THRESHOLD, 256*1024) })
}
