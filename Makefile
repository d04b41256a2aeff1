# ebpf-hello build. `make help` lists the targets.
#
# BPF objects are compiled by clang and embedded in the Go binary; libbpf is
# linked statically, so bin/ebpf-hello needs no libbpf on the machine it runs on.

GO        ?= go
CLANG     ?= clang
BPFTOOL   ?= bpftool
LLVM_STRIP ?= llvm-strip
# This machine's architecture as the kernel names it (__TARGET_ARCH_x86, ...).
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/riscv64/riscv/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
# The architecture to build for: this one, or `make static ARCH=arm64` on
# x86-64 (cross-compiled: gcc-aarch64-linux-gnu and Debian's arm64 libbpf,
# libelf, zlib and zstd through multiarch; `scripts/setup.sh arm64`).
ARCH      := $(HOST_ARCH)
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

# Go: the first one new enough for go.mod among PATH, /usr/local/go and
# Debian's /usr/lib/go-1.NN (scripts/find-go.sh); never download a toolchain.
export PATH := $(shell scripts/find-go.sh 2>/dev/null | sed 's/$$/:/')$(PATH)
export GOTOOLCHAIN := local

# The target's names: aarch64 and amd64 are accepted for arm64 and x86.
BPF_ARCH   := $(patsubst aarch64,arm64,$(patsubst amd64,x86,$(patsubst x86_64,x86,$(ARCH))))
TARGET_GOARCH := $(or $(word 2,$(subst :, ,$(filter $(BPF_ARCH):%,x86:amd64 arm64:arm64 riscv:riscv64 powerpc:ppc64le s390:s390x))),$(BPF_ARCH))
CROSS      := $(if $(filter $(HOST_ARCH),$(BPF_ARCH)),,$(BPF_ARCH))

# Each Go architecture embeds its own objects (bpf/embed.go, bpf/embed_arm64.go):
# arm64's are in bpf/arm64/, every other's in bpf/.
BPF_OUT    := bpf$(if $(filter arm64,$(BPF_ARCH)),/arm64)
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Ibpf -MMD -MP
BPF_OBJS   := $(addprefix $(BPF_OUT)/,hello.bpf.o open_perf.bpf.o open_ring.bpf.o exec.bpf.o)
# bpf/vmlinux.h is made from this machine's BTF. For arm64 from another
# architecture's it lacks arm64's struct user_pt_regs (PT_REGS_PARMn):
# bpf/arch/arm64.h adds it, only when it is missing.
BPF_ARCH_INCLUDE = $(if $(filter arm64,$(BPF_ARCH)),$$(grep -q '^struct user_pt_regs {' bpf/vmlinux.h || echo -include bpf/arch/arm64.h))

# libbpf's BPF-side headers, embedded in the binary for `run` (internal/compile);
# copied from libbpf-dev, not committed.
LIBBPF_INCLUDE ?= /usr/include/bpf
EMBED_HEADERS  := $(addprefix internal/compile/headers/bpf/,bpf_helpers.h bpf_helper_defs.h bpf_tracing.h bpf_core_read.h bpf_endian.h usdt.bpf.h ebpf_hello_arch_arm64.h)

# cgo: internal/probe links libbpf.a statically (#cgo LDFLAGS), libelf and
# zlib dynamically unless `make static`. A cross build uses Debian's cross
# gcc and the target's libraries from /usr/lib/<triple> (multiarch), which
# that gcc's linker does not search by itself.
CROSS_TRIPLE := $(if $(CROSS),$(or $(word 2,$(subst :, ,$(filter $(CROSS):%,arm64:aarch64-linux-gnu))),$(error ARCH=$(ARCH): cross-compiling from $(HOST_ARCH) is set up for ARCH=arm64 only)))
CGO_ENV    := CGO_ENABLED=1$(if $(CROSS), GOOS=linux GOARCH=$(TARGET_GOARCH) CC=$(CROSS_TRIPLE)-gcc CGO_LDFLAGS=-L/usr/lib/$(CROSS_TRIPLE))
GO_LDFLAGS := -X main.version=$(VERSION)
# What a cross build writes: bin/ebpf-hello-arm64, bin/ebpf-hello-static-arm64.
BIN_SUFFIX := $(if $(CROSS),-$(BPF_ARCH))

.DEFAULT_GOAL := build
.DELETE_ON_ERROR:
.PHONY: help setup bpf build static static-arm64 cross-setup run test fuzz bench vmtest fresh-test container-test examples lint clean

help: ## list targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: ## install build and test dependencies (Debian 12: uses bookworm-backports)
	scripts/setup.sh

bpf/vmlinux.h:
	@test -r $(VMLINUX_BTF) || { echo "error: $(VMLINUX_BTF) not found: the build needs a kernel with BTF (CONFIG_DEBUG_INFO_BTF=y) to generate vmlinux.h" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# One rule for every object: its source is the .bpf.c named below (open's
# two objects are one source built with and without USE_RINGBUF).
$(BPF_OUT)/hello.bpf.o: bpf/hello.bpf.c
$(BPF_OUT)/exec.bpf.o: bpf/exec.bpf.c
$(BPF_OUT)/open_perf.bpf.o: bpf/open.bpf.c
$(BPF_OUT)/open_ring.bpf.o: bpf/open.bpf.c
$(BPF_OUT)/open_ring.bpf.o: BPF_DEFINES = -DUSE_RINGBUF
$(BPF_OUT)/%.bpf.o: bpf/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(BPF_ARCH_INCLUDE) $(BPF_DEFINES) -c $(filter %.bpf.c,$^) -o $@
	$(LLVM_STRIP) -g $@

-include $(wildcard $(BPF_OUT)/*.d)

internal/compile/headers/bpf/%.h: $(LIBBPF_INCLUDE)/%.h
	@mkdir -p $(@D)
	cp $< $@

# run --arch arm64 on another machine: arm64's registers (bpf/arch/arm64.h).
internal/compile/headers/bpf/ebpf_hello_arch_arm64.h: bpf/arch/arm64.h
	@mkdir -p $(@D)
	cp $< $@

bpf: $(BPF_OBJS) ## compile the BPF programs

build: bin/ebpf-hello$(BIN_SUFFIX) ## build bin/ebpf-hello

GO_SOURCES := $(shell find cmd internal bpf -name '*.go' -o -name '*.c' -o -name '*.h' 2>/dev/null | grep -v /headers/) go.mod go.sum

bin/ebpf-hello$(BIN_SUFFIX): $(BPF_OBJS) $(EMBED_HEADERS) $(GO_SOURCES) | $(if $(CROSS),cross-setup)
	$(CGO_ENV) $(GO) build -ldflags '$(GO_LDFLAGS)' -o $@ ./cmd/ebpf-hello

static: $(BPF_OBJS) $(EMBED_HEADERS) | $(if $(CROSS),cross-setup) ## build bin/ebpf-hello-static, a fully static binary (for VMs and workshops; ARCH=arm64: bin/ebpf-hello-static-arm64)
	$(CGO_ENV) $(GO) build -tags netgo,osusergo -ldflags '$(GO_LDFLAGS) -s -w -extldflags "-static"' -o bin/ebpf-hello-static$(BIN_SUFFIX) ./cmd/ebpf-hello

static-arm64: ## build bin/ebpf-hello-static-arm64 (on x86-64: cross-compiled, see README "arm64")
	@$(MAKE) --no-print-directory static ARCH=arm64

# A cross build needs the cross gcc and the target's libraries.
cross-setup:
	@scripts/ensure-setup.sh $(CROSS)

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
# Go before 1.27 may end a timed fuzz run with a bare "context deadline
# exceeded" and no failing input (its coordinator's race, go.dev/issue/75804):
# such a run is tried once more; a failing input always fails.
FUZZTIME ?= 3s

fuzz: ## fuzz every parser, decoder and printer for FUZZTIME each (default 3s)
	@set -e; log=$$(mktemp); trap 'rm -f $$log' EXIT; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' cmd internal); do \
		pkg=./$$(dirname $$f); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz: $$pkg $$name ($(FUZZTIME))"; \
			$(CGO_ENV) $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg >$$log 2>&1 || \
				{ grep -q 'context deadline exceeded' $$log && ! grep -q 'Failing input written' $$log && \
					echo "fuzz: $$name: Go's deadline race (go.dev/issue/75804), no failing input: again" && \
					$(CGO_ENV) $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg >$$log 2>&1; } || \
				{ cat $$log; exit 1; }; \
		done; \
	done

bench: build static ## benchmark open, run and bpftrace under a flood of opens, then hello2.py under BCC vs run in a VM (root; BENCH_VM=0 skips the VM)
	@scripts/ensure-setup.sh bench
	scripts/bench.sh bin/ebpf-hello
	@[ "$(BENCH_VM)" = 0 ] || scripts/bench/bcc-vm.sh bin/ebpf-hello-static

# The arm64 binary is built only when an arm64 kernel is asked for
# (VMTEST_KERNELS unset: the default list has two).
VMTEST_ARM64 = $(if $(VMTEST_KERNELS),$(filter arm64-%,$(VMTEST_KERNELS)),default)

vmtest: static ## run printk/open/exec in every attach mode, and run on objects compiled here (kprobe, fentry), on Debian 5.10, 6.1, 6.12, newest and 6.1-rt kernels and arm64 6.1 and 6.12 in qemu, and here (root)
	@scripts/ensure-setup.sh vmtest
	$(if $(VMTEST_ARM64),@$(MAKE) --no-print-directory static ARCH=arm64)
	scripts/vmtest.sh bin/ebpf-hello-static

fresh-test: ## run ./run.sh and ./test.sh in fresh Debian 12 and 13 roots (debootstrap, chroot; root)
	@scripts/ensure-setup.sh fresh
	scripts/fresh-test.sh $(FRESH_SUITES)

container-test: ## run ./run.sh, doctor and run hello.py in a privileged podman container of a fresh Debian 12 (root)
	@scripts/ensure-setup.sh container
	scripts/fresh-test.sh podman

STATICCHECK_VERSION = v0.8.2
STATICCHECK = .cache/bin/staticcheck-$(STATICCHECK_VERSION)
# The project's own BPF C and shell scripts (not vmlinux.h, not upstream code).
LINT_C = bpf/*.bpf.c bpf/exec.h bpf/open.h bpf/pidns.h bpf/syscall_tp.h bpf/arch/*.h $(shell find examples -name '*.bpf.c')
LINT_SH = scripts/*.sh scripts/vm/init.sh .ci/run run.sh test.sh

lint: ## gofmt, go vet, staticcheck, go mod tidy -diff, shellcheck and clang-format (.clang-format)
	@scripts/ensure-setup.sh lint
	@test -z "$$(gofmt -l cmd internal bpf examples 2>/dev/null)" || { gofmt -l cmd internal bpf examples; exit 1; }
	$(CGO_ENV) $(GO) vet ./...
	@test -x $(STATICCHECK) || { mkdir -p .cache/bin && GOBIN=$(CURDIR)/.cache/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) && mv .cache/bin/staticcheck $(STATICCHECK); }
	$(CGO_ENV) $(STATICCHECK) ./...
	$(GO) mod tidy -diff
	shellcheck -S warning -x $(LINT_SH)
	clang-format --dry-run --Werror $(LINT_C)

clean: ## remove build output
	rm -rf bin bpf/*.o bpf/*.d bpf/arm64 bpf/vmlinux.h internal/compile/headers/bpf
	$(MAKE) -C examples clean
