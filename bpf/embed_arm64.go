//go:build arm64

package bpf

import _ "embed"

// The same programs as embed.go, compiled for arm64 (-D__TARGET_ARCH_arm64:
// arm64's registers for PT_REGS_PARMn) by `make ARCH=arm64` or on an arm64
// machine, into bpf/arm64/. A program added to embed.go is added here too.

//go:embed arm64/hello.bpf.o
var Hello []byte

//go:embed arm64/open_perf.bpf.o
var OpenPerf []byte

//go:embed arm64/open_ring.bpf.o
var OpenRing []byte

//go:embed arm64/exec.bpf.o
var Exec []byte
