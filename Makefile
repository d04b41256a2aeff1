# ebpf-hello build. `make help` lists the targets.
#
# BPF objects are compiled by clang and embedded in the Go binary; libbpf is
# linked statically, so bin/ebpf-hello needs no libbpf on the machine it runs on.

GO        ?= go
CLANG     ?= clang
BPFTOOL   ?= bpftool
LLVM_STRIP ?= llvm-strip
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/riscv64/riscv/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

# Go: the first one new enough for go.mod among PATH, /usr/local/go and
# Debian's /usr/lib/go-1.NN (scripts/find-go.sh); never download a toolchain.
export PATH := $(shell scripts/find-go.sh 2>/dev/null | sed 's/$$/:/')$(PATH)
export GOTOOLCHAIN := local

BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -MMD -MP
BPF_OBJS   := bpf/hello.bpf.o bpf/open_perf.bpf.o bpf/open_ring.bpf.o bpf/exec.bpf.o

# libbpf's BPF-side headers, embedded in the binary for `run` (internal/compile);
# copied from libbpf-dev, not committed.
LIBBPF_INCLUDE ?= /usr/include/bpf
EMBED_HEADERS  := $(addprefix internal/compile/headers/bpf/,bpf_helpers.h bpf_helper_defs.h bpf_tracing.h bpf_core_read.h bpf_endian.h usdt.bpf.h)

# cgo: internal/probe links libbpf.a statically (#cgo LDFLAGS), libelf and
# zlib dynamically unless `make static`.
CGO_ENV    := CGO_ENABLED=1
GO_LDFLAGS := -X main.version=$(VERSION)

.DEFAULT_GOAL := build
.DELETE_ON_ERROR:
.PHONY: help setup bpf build static run test fuzz bench vmtest fresh-test examples lint clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: ## install build and test dependencies (Debian 12: uses bookworm-backports)
	scripts/setup.sh

bpf/vmlinux.h:
	@test -r $(VMLINUX_BTF) || { echo "error: $(VMLINUX_BTF) not found: the build needs a kernel with BTF (CONFIG_DEBUG_INFO_BTF=y) to generate vmlinux.h" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

bpf/hello.bpf.o: bpf/hello.bpf.c bpf/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

bpf/exec.bpf.o: bpf/exec.bpf.c bpf/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

bpf/open_perf.bpf.o: bpf/open.bpf.c bpf/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

bpf/open_ring.bpf.o: bpf/open.bpf.c bpf/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -DUSE_RINGBUF -c $< -o $@
	$(LLVM_STRIP) -g $@

-include $(wildcard bpf/*.d)

internal/compile/headers/bpf/%.h: $(LIBBPF_INCLUDE)/%.h
	@mkdir -p $(@D)
	cp $< $@

bpf: $(BPF_OBJS) ## compile the BPF programs

build: bin/ebpf-hello ## build bin/ebpf-hello

GO_SOURCES := $(shell find cmd internal bpf -name '*.go' -o -name '*.c' -o -name '*.h' 2>/dev/null | grep -v /headers/) go.mod go.sum

bin/ebpf-hello: $(BPF_OBJS) $(EMBED_HEADERS) $(GO_SOURCES)
	$(CGO_ENV) $(GO) build -ldflags '$(GO_LDFLAGS)' -o $@ ./cmd/ebpf-hello

static: $(BPF_OBJS) $(EMBED_HEADERS) ## build bin/ebpf-hello-static, a fully static binary (for VMs and workshops)
	$(CGO_ENV) $(GO) build -tags netgo,osusergo -ldflags '$(GO_LDFLAGS) -s -w -extldflags "-static"' -o bin/ebpf-hello-static ./cmd/ebpf-hello

run: ## set up if needed, build, and run `ebpf-hello open` (Ctrl-C to stop)
	@scripts/ensure-setup.sh
	@$(MAKE) --no-print-directory build
	bin/ebpf-hello open

examples: bpf/vmlinux.h ## build the tutorial examples and workshop solutions (examples/)
	@$(MAKE) --no-print-directory -C examples

test: ## set up if needed, build, and run every test (as root they load BPF for real)
	@scripts/ensure-setup.sh
	@$(MAKE) --no-print-directory build examples
	CGO_ENABLED=0 $(GO) test -count=1 $$(grep -v '^#' internal/purity/pure.txt)
	$(CGO_ENV) $(GO) test -count=1 -p 1 ./...

# Every FuzzXxx runs as a plain test (its seeds) in `make test`; `make fuzz`
# also fuzzes each for FUZZTIME, one after the other (CI: a few seconds each).
FUZZTIME ?= 3s

fuzz: ## fuzz every parser, decoder and printer for FUZZTIME each (default 3s)
	@set -e; log=$$(mktemp); trap 'rm -f $$log' EXIT; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' cmd internal); do \
		pkg=./$$(dirname $$f); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz: $$pkg $$name ($(FUZZTIME))"; \
			$(CGO_ENV) $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg >$$log 2>&1 || \
				{ cat $$log; exit 1; }; \
		done; \
	done

bench: build static ## benchmark open, run and bpftrace under a flood of opens, then hello2.py under BCC vs run in a VM (root; BENCH_VM=0 skips the VM)
	@scripts/ensure-setup.sh bench
	scripts/bench.sh bin/ebpf-hello
	@[ "$(BENCH_VM)" = 0 ] || scripts/bench/bcc-vm.sh bin/ebpf-hello-static

vmtest: static ## run printk/open/exec in every attach mode, and run on objects compiled here (kprobe, fentry), on Debian 5.10, 6.1, 6.12, newest and 6.1-rt kernels in qemu, and here (root)
	@scripts/ensure-setup.sh vmtest
	scripts/vmtest.sh bin/ebpf-hello-static

fresh-test: ## run ./run.sh and ./test.sh in fresh Debian 12 and 13 roots (debootstrap, chroot; root)
	@scripts/ensure-setup.sh fresh
	scripts/fresh-test.sh $(FRESH_SUITES)

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l cmd internal bpf examples 2>/dev/null)" || { gofmt -l cmd internal bpf examples; exit 1; }
	$(CGO_ENV) $(GO) vet ./...

clean: ## remove build output
	rm -rf bin bpf/*.o bpf/*.d bpf/vmlinux.h internal/compile/headers/bpf
	$(MAKE) -C examples clean
