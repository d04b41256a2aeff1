#!/usr/bin/env bash
# make vmtest: run printk and open in every attach mode and buffer on several
# Debian kernels under qemu (TCG, no KVM needed), x86-64 and arm64, and on
# this machine's own kernel, then print one pass/fail/unsupported matrix.
#
#   scripts/vmtest.sh [bin/ebpf-hello-static]
#
#   VMTEST_KERNELS="5.10 6.1 6.12 newest 6.1-rt arm64-6.1 arm64-6.12 host"
#                                          which kernels (default: all; "newest" is the
#                                          newest kernel Debian serves (trixie-backports),
#                                          "6.1-rt" bookworm's PREEMPT_RT 6.1, "host" this
#                                          machine's kernel, root only; "arm64-" before
#                                          any of the others: Debian's arm64 kernel, in
#                                          qemu-system-aarch64, root only)
#   VMTEST_ARM64_BIN=FILE                  the static arm64 binary (default: the x86-64
#                                          one's name + "-arm64", as `make static ARCH=arm64`
#                                          writes it)
#   VMTEST_JOBS=2                          how many VMs run at once (qemu TCG uses one
#                                          host thread per VM)
#   VMTEST_TIMEOUT=240                     seconds one VM may run before it is killed
#                                          (a boot takes 10-15 s on an idle machine,
#                                          the checks 30-120 s)
#   VMTEST_REFRESH=1                       fetch the kernels again (newest of each suite)
#   VMTEST_FETCH_ONLY=1                    only fetch (and cache) the kernels, run nothing
#   VMTEST_VERBOSE=1                       keep all kernel messages on the VM console
#                                          (stack dumps; may garble result lines)
#
# Kernels come from Debian's archive (the mirror this machine's apt uses) as
# linux-image-*-cloud-amd64 packages: small, with virtio, the serial console,
# BTF, kprobes and syscall tracepoints built in (the RT kernel has no cloud
# flavour: linux-image-*-rt-amd64), and linux-image-*-cloud-arm64 (PL011
# console for qemu's virt board; the image is an uncompressed arm64 Image).
# The arm64 VMs get busybox from Debian's arm64 busybox-static, fetched the
# same way. From 6.19 linux-image-* is a meta package:
# the kernel is in linux-binary-* (/usr/lib/modules/VER/vmlinuz) and its
# config in linux-base-*. They are cached under
# ${XDG_CACHE_HOME:-~/.cache}/ebpf-hello/kernels, so only the first run
# downloads anything; serial logs and last-matrix.md (the table as markdown)
# are written there too.
#
# The VMs have no clang: before booting, the programs `run` is checked on
# (the tutorial's BCC scripts, the C-only track's kprobe solution, kprobe
# and fentry programs of cmd/ebpf-hello/testdata/run) are compiled here with
# `ebpf-hello run --emit-object` against this machine's BTF (CO-RE makes the
# objects portable; a BCC script's plan travels inside), and the examples'
# Go programs are built statically; all go into the initramfs's /programs.
# For arm64 the same programs are compiled as an arm64 learner's machine
# would: the arm64 binary runs `run --emit-object` under qemu-user with an
# arm64 kernel's BTF (taken out of its Image) in place of this machine's,
# in a private mount namespace (root); the tutorial's two scripts instead
# as a learner compiles for an arm64 VM here, with this machine's binary
# and `run --arch arm64 --emit-object`; the examples' objects are compiled
# with -D__TARGET_ARCH_arm64 against that BTF's vmlinux.h and their Go
# programs cross-compiled (gcc-aarch64-linux-gnu, `scripts/setup.sh arm64`).
#
#   VMTEST_CORPUS=DIR                      measure instead of checking: compile every
#                                          upstream program under DIR (*.bpf.c, BCC *.py)
#                                          here with run --emit-object, and run each in the
#                                          VMs (x86-64 kernels) for a few seconds with some
#                                          activity, one line each (scripts/corpus.sh on
#                                          the host); give a larger VMTEST_TIMEOUT
#   VMTEST_HOST_LOCK=FILE                  run the host checks under flock FILE
#                                          (where others load BPF on this kernel too)
#
# The checks themselves are scripts/vm/init.sh, the initramfs's /init.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
bin=${1:-$repo/bin/ebpf-hello-static}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ebpf-hello/kernels
kernels=${VMTEST_KERNELS:-5.10 6.1 6.12 newest 6.1-rt arm64-6.1 arm64-6.12 host}
jobs=${VMTEST_JOBS:-2}
vm_timeout=${VMTEST_TIMEOUT:-240}

say() { echo "vmtest: $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# arch_of LABEL: the Debian architecture of LABEL's kernel (arm64-6.1: arm64).
arch_of() {
	case "$1" in
	arm64-*) echo arm64 ;;
	*) echo amd64 ;;
	esac
}

# suites_for LABEL: the Debian suites that ship kernel LABEL, best first.
suites_for() {
	case "${1#arm64-}" in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie bookworm-backports ;;
	newest) echo trixie-backports ;;
	6.1-rt) echo bookworm ;;
	*) return 1 ;;
	esac
}

# image_re LABEL: the linux-image package names that carry kernel LABEL.
image_re() {
	local arch version=${1#arm64-}
	arch=$(arch_of "$1")
	case "$version" in
	newest) echo "^linux-image-[0-9][0-9.]*[-+].*-cloud-$arch(-unsigned)?\$" ;;
	6.1-rt) echo "^linux-image-6\\.1[.-].*-rt-$arch(-unsigned)?\$" ;;
	*) echo "^linux-image-${version//./\\.}[.-].*-cloud-$arch(-unsigned)?\$" ;;
	esac
}

# mirror_uri: the Debian mirror this machine's apt uses (never hard-coded, so
# the script works behind whatever mirror or proxy the machine is set up for).
mirror_uri() {
	local uri
	uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	[ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt/sources.list*"
	echo "$uri"
}

# apt_opts SUITE [ARCH]: apt options that use a private source list and
# state for SUITE's ARCH (default amd64) packages, so the machine's own apt
# setup is neither read nor changed.
apt_opts() {
	local arch=${2:-amd64} dir=$work/apt/$1-${2:-amd64}
	apt_args=(
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache"
		-o Dir::State::status=/dev/null
		-o "APT::Architecture=$arch"
		-o "APT::Architectures=$arch"
		-o Acquire::Languages=none
		# appstream metadata is useless here (a no-op without appstream)
		-o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
		-o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false
		-o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
		# the download directory is root's: no point in apt's _apt sandbox
		-o APT::Sandbox::User=root
	)
}

# apt_update SUITE [ARCH]: fetch SUITE's package lists into the private state.
apt_update() {
	local arch=${2:-amd64} dir=$work/apt/$1-${2:-amd64}
	[ ! -s "$dir/update.ok" ] || return 0 # once per run
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror_uri) $1 main" >"$dir/sources.list"
	apt_opts "$1" "$arch"
	apt-get "${apt_args[@]}" -q update >"$dir/update.log" 2>&1 || {
		sed 's/^/    /' "$dir/update.log" >&2
		return 1
	}
	# apt-get update exits 0 when a suite is missing on the mirror: check.
	ls "$dir/lists/"*_Packages* >/dev/null 2>&1 && echo ok >"$dir/update.ok"
}

# newest_image LABEL SUITE: the newest package of SUITE matching image_re LABEL.
newest_image() {
	apt_opts "$2" "$(arch_of "$1")"
	apt-cache "${apt_args[@]}" pkgnames linux-image- | grep -E "$(image_re "$1")" | sort -V | tail -n 1
}

# kernel_parts SUITE PKG [ARCH]: PKG, and when PKG is a meta package (Debian's
# 6.19 and later), the linux-binary-* and linux-base-* packages it depends on.
kernel_parts() {
	apt_opts "$1" "${3:-amd64}"
	echo "$2"
	apt-cache "${apt_args[@]}" show "$2" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',' '\n' | sed -n 's/^ *\(linux-\(binary\|base\)-[^ (]*\).*/\1/p'
}

# fetch_kernel LABEL: make sure $cache/LABEL holds vmlinuz, config and the
# package it came from (and for arm64 the kernel's BTF, btf); download it
# only when it is not cached yet.
fetch_kernel() {
	local label=$1 dest=$cache/$1 suite pkg tmp deb vmlinuz config arch
	arch=$(arch_of "$label")
	if [ -z "${VMTEST_REFRESH:-}" ] && [ -s "$dest/vmlinuz" ] && [ -s "$dest/package" ]; then
		[ "$arch" = amd64 ] || [ -s "$dest/btf" ] || extract_btf "$dest/vmlinuz" "$dest/btf" ||
			say "$label: no BTF found in its image (the arm64 programs are compiled against another arm64 kernel's)"
		return 0
	fi
	for suite in $(suites_for "$label"); do
		say "$label: looking for a kernel in $suite"
		apt_update "$suite" "$arch" || {
			say "$label: cannot read $suite from $(mirror_uri)"
			continue
		}
		pkg=$(newest_image "$label" "$suite")
		[ -n "$pkg" ] || {
			say "$label: no package matching $(image_re "$label") in $suite"
			continue
		}
		say "$label: downloading $pkg ($suite)"
		tmp=$work/fetch-$label
		rm -rf "$tmp" && mkdir -p "$tmp/root"
		apt_opts "$suite" "$arch"
		# shellcheck disable=SC2046 # one package name per word
		(cd "$tmp" && apt-get "${apt_args[@]}" -q download $(kernel_parts "$suite" "$pkg" "$arch") >download.log 2>&1) || {
			sed 's/^/    /' "$tmp/download.log" >&2
			continue
		}
		for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
		vmlinuz=$(ls "$tmp"/root/boot/vmlinuz-* "$tmp"/root/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n 1)
		config=$(ls "$tmp"/root/boot/config-* "$tmp"/root/usr/lib/modules/*/config 2>/dev/null | head -n 1)
		[ -n "$vmlinuz" ] && [ -n "$config" ] || {
			say "$label: $pkg and its parts hold no vmlinuz and config"
			continue
		}
		# Fill a sibling directory, then swap it in: an interrupted fetch never
		# leaves a half-written kernel that the next run would trust.
		rm -rf "$dest.new" && mkdir -p "$dest.new"
		cp "$vmlinuz" "$dest.new/vmlinuz"
		cp "$config" "$dest.new/config"
		if [ "$arch" != amd64 ] && ! extract_btf "$vmlinuz" "$dest.new/btf"; then
			say "$label: no BTF found in its image (the arm64 programs are compiled against another arm64 kernel's)"
		fi
		echo "$pkg $(dpkg-deb -f "$(ls "$tmp/${pkg}"_*.deb | head -n 1)" Version) $suite" >"$dest.new/package"
		rm -rf "$dest" "$tmp"
		mv "$dest.new" "$dest"
		return 0
	done
	return 1
}

# extract_btf IMAGE OUT: copy the kernel's BTF (its .BTF section, loaded
# with the kernel and so inside an arm64 Image as it is) out of IMAGE into
# OUT, a raw BTF file as /sys/kernel/btf/vmlinux is. It starts with the
# header: magic 0xeb9f, version 1, flags 0, hdr_len 24, type_off 0, then
# type_len, str_off (= type_len) and str_len (little endian). False when
# IMAGE has none (or is compressed).
extract_btf() {
	local image=$1 out=$2 off type_len str_off str_len
	off=$(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00\x00\x00\x00\x00' "$image" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	read -r type_len str_off str_len < <(od -An -tu4 -j $((off + 12)) -N 12 "$image")
	[ "${str_off:-x}" = "${type_len:-y}" ] && [ "${str_len:-0}" -gt 0 ] || return 1
	dd if="$image" of="$out.tmp" iflag=skip_bytes,count_bytes skip="$off" count=$((24 + str_off + str_len)) status=none &&
		mv "$out.tmp" "$out"
}

# fetch_busybox_arm64: $cache/busybox-arm64, Debian's static arm64
# busybox, for the arm64 initramfs; downloaded once.
fetch_busybox_arm64() {
	local dest=$cache/busybox-arm64 suite tmp
	[ -z "${VMTEST_REFRESH:-}" ] && [ -s "$dest" ] && return 0
	suite=$(suites_for 6.1)
	apt_update "$suite" arm64 || return 1
	tmp=$work/fetch-busybox-arm64
	rm -rf "$tmp" && mkdir -p "$tmp/root"
	apt_opts "$suite" arm64
	(cd "$tmp" && apt-get "${apt_args[@]}" -q download busybox-static >download.log 2>&1) || {
		sed 's/^/    /' "$tmp/download.log" >&2
		return 1
	}
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/root" && [ -x "$tmp/root/bin/busybox" ] || return 1
	cp "$tmp/root/bin/busybox" "$dest.new" && mv "$dest.new" "$dest"
	rm -rf "$tmp"
}

# check_config LABEL: a kernel without what booting from our initramfs needs
# is skipped; one without what the tool needs is run anyway (the table then
# shows what happens there) but said so up front.
check_config() {
	local config=$cache/$1/config opt missing=() console=SERIAL_8250_CONSOLE
	# qemu's virt board (arm64) has a PL011 UART, ttyAMA0.
	[ "$(arch_of "$1")" = amd64 ] || console=SERIAL_AMBA_PL011_CONSOLE
	for opt in BLK_DEV_INITRD RD_GZIP $console DEVTMPFS TMPFS; do
		grep -q "^CONFIG_$opt=y" "$config" || missing+=("$opt")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		say "$1: cannot boot our initramfs, not built in: ${missing[*]}"
		return 1
	fi
	for opt in BPF_SYSCALL DEBUG_INFO_BTF BPF_EVENTS KPROBES FTRACE_SYSCALLS FUNCTION_TRACER; do
		grep -q "^CONFIG_$opt=y" "$config" || missing+=("$opt")
	done
	[ ${#missing[@]} -eq 0 ] || say "$1: note: not built in: ${missing[*]} (checks that need them will fail or be unsupported)"
}

# build_corpus ARCH DIR: compile every upstream program under
# $VMTEST_CORPUS into DIR as NAME.bpf.o (NAME: its path with / as _), or
# NAME.failed holding the compile's error; each from its own directory, as
# a learner runs it (its local headers found there).
build_corpus() {
	local arch=$1 out=$2 f name
	[ "$arch" = amd64 ] || die "VMTEST_CORPUS: x86-64 kernels only"
	mkdir -p "$out"
	while IFS= read -r f; do
		name=${f#"$VMTEST_CORPUS"/}
		name=${name//\//_}
		name=${name%.bpf.c}
		name=${name%.py}
		if ! (cd "$(dirname "$f")" && "$bin" run --emit-object "$out/$name.bpf.o" "$(basename "$f")") >"$work/emit.log" 2>&1; then
			grep -m 1 'error' "$work/emit.log" >"$out/$name.failed" || head -n 1 "$work/emit.log" >"$out/$name.failed"
		fi
	done < <(find "$VMTEST_CORPUS" \( -name '*.bpf.c' -print \) -o \( -name '*.py' -exec grep -l 'BPF(' {} + \) | sort)
	say "corpus: $(find "$out" -name '*.bpf.o' | wc -l) objects, $(find "$out" -name '*.failed' | wc -l) did not compile"
}

# build_programs ARCH: compile what init.sh runs with `run` and the
# examples' programs into $work/programs-ARCH (no BPF is loaded here).
build_programs() {
	local arch=$1 dir=$work/programs-$1 tutorial=$repo/internal/bcc/testdata/tutorial ex name obj src
	command -v clang >/dev/null || die "clang not found: the run checks compile their programs here (make setup)"
	# The same Go as the Makefile (scripts/find-go.sh); never a download.
	local godir
	godir=$("$repo/scripts/find-go.sh" 2>/dev/null) && PATH=$godir:$PATH
	mkdir -p "$dir"
	# emit NAME ARGS...: `run ARGS --emit-object $dir/NAME`; for arm64 the
	# arm64 binary under qemu-user, seeing an arm64 kernel's BTF where this
	# machine's is (only in its own mount namespace), so that it compiles
	# exactly as on an arm64 machine: __TARGET_ARCH_arm64, arm64's
	# registers and types, __arm64_sys_ syscall names.
	# With cross=1, arm64's are compiled by this machine's binary with
	# --arch arm64 instead (x86-64's BTF, arm64's registers and syscall
	# names), as a learner compiles for an arm64 VM.
	emit() {
		local name=$1
		shift
		if [ "$arch" = amd64 ]; then
			"$bin" run --emit-object "$dir/$name" "$@" >"$work/emit.log" 2>&1
		elif [ "${cross:-}" = 1 ]; then
			"$bin" run --arch arm64 --emit-object "$dir/$name" "$@" >"$work/emit.log" 2>&1
		else
			# shellcheck disable=SC2016 # $0 and $@ are the inner shell's
			unshare --mount --propagation private sh -c 'mount --bind "$0" /sys/kernel/btf/vmlinux && exec "$@"' \
				"$arm64_btf" qemu-aarch64 "$bin_arm64" run --emit-object "$dir/$name" "$@" >"$work/emit.log" 2>&1
		fi || {
			sed 's/^/    /' "$work/emit.log" >&2
			die "cannot compile $name for $arch: ebpf-hello run $* --emit-object $dir/$name failed"
		}
	}
	if [ -n "${VMTEST_CORPUS:-}" ]; then
		build_corpus "$arch" "$dir/corpus"
		return
	fi
	cross=1 emit hello.py.bpf.o "$tutorial/hello.py"
	cross=1 emit hello2.py.bpf.o --src "$tutorial/hello2.c" "$tutorial/hello2.py"
	emit c-only-1-message.bpf.o "$repo/examples/solutions/c-only/1-message/hello.py"
	emit kprobe_ring.bpf.o "$repo/cmd/ebpf-hello/testdata/run/kprobe_ring.bpf.c"
	emit fentry_perf.bpf.o "$repo/cmd/ebpf-hello/testdata/run/fentry_perf.bpf.c"
	emit kprobe_chain.bpf.o "$repo/cmd/ebpf-hello/testdata/run/kprobe_chain.bpf.c"
	emit perf_uprobe.bpf.o "$repo/cmd/ebpf-hello/testdata/run/perf_uprobe.bpf.c"
	emit kvm_missing.bpf.o "$repo/cmd/ebpf-hello/testdata/run/kvm_missing.bpf.c"
	emit lsm_file_open.bpf.o "$repo/cmd/ebpf-hello/testdata/run/lsm_file_open.bpf.c"
	# The uprobe check's dynamically linked program, and the C library and
	# dynamic linker it needs, in sysroot/ at the paths it looks for them
	# (the VM copies sysroot/ to /; the host has its own).
	local cc=gcc ld=/lib64/ld-linux-x86-64.so.2 libdir=/lib/x86_64-linux-gnu
	if [ "$arch" = arm64 ]; then
		cc=aarch64-linux-gnu-gcc ld=/lib/ld-linux-aarch64.so.1 libdir=/lib/aarch64-linux-gnu
	fi
	mkdir -p "$dir/sysroot$(dirname "$ld")" "$dir/sysroot$libdir"
	"$cc" -O2 -Wall -o "$dir/strlener" "$here/vm/strlener.c" &&
		cp -L "$ld" "$dir/sysroot$ld" && cp -L "$libdir/libc.so.6" "$dir/sysroot$libdir/" ||
		die "cannot build the uprobe check's program for $arch ($cc, $ld, $libdir/libc.so.6)"
	# arm64: the examples' objects see that kernel's vmlinux.h first, and
	# their Go programs are cross-compiled as `make static ARCH=arm64` does.
	local goenv=(GOTOOLCHAIN=local CGO_ENABLED=1)
	if [ "$arch" = arm64 ]; then
		mkdir -p "$work/include-arm64"
		bpftool btf dump file "$arm64_btf" format c >"$work/include-arm64/vmlinux.h" ||
			die "cannot make an arm64 vmlinux.h from $arm64_btf"
		goenv+=(GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc CGO_LDFLAGS=-L/usr/lib/aarch64-linux-gnu)
	fi
	# The examples and the workshop's Go solutions: each folder's object (its
	# Makefile's rule) and a static build of its main.go, side by side as the
	# program expects.
	for ex in 01-hello-printk 02-trace-open 03-ring-buffer solutions/1-message solutions/2-pid-filter \
		solutions/3-uid solutions/4-ring-drops solutions/5-count-opens; do
		name=${ex##*/}
		name=${name#*-}
		mkdir -p "$dir/$name"
		for src in "$repo/examples/$ex"/*.bpf.c; do
			obj=${src%.c}.o
			if [ "$arch" = amd64 ]; then
				make -s -C "$repo/examples" "${obj#"$repo/examples/"}" >"$work/emit.log" 2>&1 &&
					cp "$obj" "$dir/$name/"
			else
				# examples/Makefile's flags, for arm64, into $dir (the
				# examples' own objects stay this machine's).
				obj=$dir/$name/$(basename "$obj")
				clang -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_arm64 -I"$work/include-arm64" -I"$repo/bpf" \
					-c "$src" -o "$obj" >"$work/emit.log" 2>&1 && llvm-strip -g "$obj"
			fi || {
				sed 's/^/    /' "$work/emit.log" >&2
				die "cannot compile ${src#"$repo/"} for $arch"
			}
		done
		(cd "$repo/examples/$ex" && env "${goenv[@]}" go build -tags netgo,osusergo \
			-ldflags '-s -w -extldflags "-static"' -o "$dir/$name/$name" .) >"$work/emit.log" 2>&1 || {
			sed 's/^/    /' "$work/emit.log" >&2
			die "cannot build examples/$ex statically for $arch"
		}
	done
}

# build_initramfs ARCH: busybox (with its applet links), the binary as
# /bin/ebpf-hello, init.sh as /init and the programs, as a gzip'd newc
# cpio, $work/initrd-ARCH.gz.
build_initramfs() {
	local arch=$1 root=$work/initramfs-$1 busybox link list=() binary=$bin
	if [ "$arch" = amd64 ]; then
		busybox=$(command -v busybox) || die "busybox not found (scripts/setup.sh vmtest installs busybox-static)"
		# A dynamic busybox would need its libraries inside the VM too.
		if LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
			die "$busybox is dynamically linked: install busybox-static"
		fi
		mapfile -t list < <("$busybox" --list-full)
	else
		busybox=$cache/busybox-arm64 binary=$bin_arm64
		mapfile -t list < <(qemu-aarch64 "$busybox" --list-full)
	fi
	[ ${#list[@]} -gt 10 ] || die "$busybox --list-full listed no applets"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp}
	cp "$busybox" "$root/bin/busybox"
	for link in "${list[@]}"; do
		[ -e "$root/$link" ] || ln -s /bin/busybox "$root/$link"
	done
	cp "$binary" "$root/bin/ebpf-hello"
	cp "$here/vm/init.sh" "$root/init"
	cp -r "$work/programs-$arch" "$root/programs"
	chmod 755 "$root/bin/busybox" "$root/init" "$root/bin/ebpf-hello"
	# The kernel hands /init its console only if /dev/console exists before
	# devtmpfs is mounted; mknod needs root, init.sh copes without it.
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -1 >"$work/initrd-$arch.gz"
}

# run_vm LABEL: boot LABEL's kernel with the initramfs; its serial console goes
# to $cache/logs/LABEL.log.
run_vm() {
	local label=$1 log=$cache/logs/$1.log append
	mkdir -p "$cache/logs"
	: >"$log"
	# thread=single: with one host thread per vCPU (MTTCG, qemu 7.2), about
	# one boot in eight hung for good, both vCPUs spinning on a static-key
	# NOP the kernel had just patched while enabling the syscall tracepoints;
	# most likely the emulator mishandling code patched under a running vCPU.
	# Round-robin TCG never hung in 42 boots, and is as fast here.
	# -nodefaults: no NIC, VGA or monitor, only the serial port we ask for.
	# -no-reboot: a dying init (panic=-1 reboots at once) ends qemu too.
	# The kernel logs its boot in full (for the post-mortem of a VM that
	# never finishes); init.sh then keeps all but errors off the console.
	# no_timer_check: under host load the emulated timer can fail the
	# kernel's IO-APIC check and panic the boot (seen on 6.12-rt).
	# arm64: qemu's virt board, its PL011 UART as the console (ttyAMA0);
	# pauth-impdef: pointer authentication with QEMU's own cheap algorithm
	# instead of emulating the architected one (QARMA), several times faster
	# under TCG and the same to the kernel.
	local machine
	# shellcheck disable=SC2054 # the commas are qemu's
	case "$(arch_of "$label")" in
	amd64) machine=(qemu-system-x86_64 -accel tcg,thread=single -cpu max)
		append="console=ttyS0 panic=-1 no_timer_check" ;;
	arm64) machine=(qemu-system-aarch64 -machine virt -accel tcg,thread=single -cpu max,pauth-impdef=on)
		append="console=ttyAMA0 panic=-1" ;;
	esac
	timeout --kill-after=10 "$vm_timeout" "${machine[@]}" -m 512 -smp 2 \
		-nodefaults -display none -no-reboot \
		-serial "file:$log" \
		-kernel "$cache/$label/vmlinuz" -initrd "$work/initrd-$(arch_of "$label").gz" \
		-append "$append${VMTEST_VERBOSE:+ vmtest.verbose=1}" \
		</dev/null >"$work/qemu-$label.out" 2>&1 &
	watch_run "$label" "$log" $!
	[ ! -s "$work/qemu-$label.out" ] || sed "s/^/vmtest: $label: qemu: /" "$work/qemu-$label.out" >&2
}

# run_host: the same checks on this machine's kernel, without a VM: init.sh
# in host mode mounts nothing and works in its own temporary directory.
# setsid makes it a process group that stop_run can end as a whole.
run_host() {
	local log=$cache/logs/host.log
	mkdir -p "$cache/logs"
	local lockfd='' waited=$SECONDS
	if [ -n "${VMTEST_HOST_LOCK:-}" ]; then
		# Held by this job (and inherited by init.sh) until the checks end;
		# the wait is not the checks' time, nor under their watchdog.
		exec {lockfd}>>"$VMTEST_HOST_LOCK"
		flock "$lockfd"
	fi
	echo $((SECONDS - waited)) >"$work/host.waited"
	setsid sh "$here/vm/init.sh" --host "$bin" "$work/programs-amd64" </dev/null >"$log" 2>&1 &
	watch_run host "$log" $!
	[ -z "$lockfd" ] || exec {lockfd}>&-
}

# watch_run LABEL LOG PID: show LOG's check lines as they come until PID
# exits. `timeout` already bounds qemu; this watchdog kills PID by itself
# should that not be enough, and bounds the host run.
watch_run() {
	local label=$1 log=$2 pid=$3 deadline shown=0
	running_pid=$pid
	deadline=$((SECONDS + vm_timeout + 20))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			say "$label: still running after $((vm_timeout + 20)) s: killing pid $pid"
			stop_run "$pid"
			break
		fi
		sleep 1
		shown=$(show_progress "$label" "$log" "$shown")
	done
	run_rc=0
	wait "$pid" 2>/dev/null || run_rc=$?
	running_pid=
	show_progress "$label" "$log" "$shown" >/dev/null
}

# stop_run PID: end PID and its process group (timeout and setsid make PID a
# group leader, so qemu, or the tool under init.sh, goes too); TERM first, so
# timeout passes it on and init.sh cleans up, then KILL.
stop_run() {
	kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || return 0
	local n=0
	while kill -0 "$1" 2>/dev/null && [ "$n" -lt 10 ]; do
		sleep 0.5
		n=$((n + 1))
	done
	kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null || true
}

# show_progress LABEL LOG SHOWN: print (on stderr) the check lines of LOG
# after the first SHOWN ones; prints the new count.
show_progress() {
	local lines n
	lines=$(tr -d '\r' <"$2" | grep -a '^VMTEST|' || true)
	n=$(printf '%s' "$lines" | grep -c . || true)
	if [ "$n" -gt "$3" ]; then
		printf '%s\n' "$lines" | sed -n "$(($3 + 1)),\$p" |
			awk -F'|' -v k="$1" '{printf "vmtest: %s: %-6s %-11s %-5s %s\n", k, $3, $4, $5, ($6 == "pass" ? "pass" : $6 ": " $7)}' >&2
	fi
	echo "$n"
}

# collect LABEL LOG: add LOG's check lines to the results, prefixed with
# LABEL; false (after showing the end of the console) if the run did not finish.
collect() {
	local label=$1 log=$2 lines done_line want got why
	# The serial console ends lines with \r\n.
	lines=$(tr -d '\r' <"$log" | grep -a '^VMTEST|' || true)
	done_line=$(tr -d '\r' <"$log" | grep -a '^VMTEST-DONE|' | tail -n 1 || true)
	[ -z "$lines" ] || printf '%s\n' "$lines" | sed "s/^VMTEST|/$label|/" >>"$results"
	if [ -z "$done_line" ]; then
		case "$run_rc" in
		124 | 137 | 143) why="timed out after ${vm_timeout} s" ;;
		*) why="ended (exit $run_rc) before the checks finished: crash?" ;;
		esac
		say "$label: no VMTEST-DONE: $why; last 30 console lines:"
		tr -d '\r' <"$log" | tail -n 30 | sed 's/^/    /' >&2
		broken+=("$label: no VMTEST-DONE: $why (see $log)")
		return 1
	fi
	# A kernel message in the middle of a result line makes it unreadable.
	want=${done_line##*|}
	got=$(printf '%s' "$lines" | grep -c . || true)
	if [ "$got" != "$want" ]; then
		broken+=("$label: $want checks ran but $got result lines were readable (see $log)")
		return 1
	fi
}

# summary LABEL SECONDS: one line per kernel as it finishes.
summary() {
	local counts
	counts=$(awk -F'|' -v k="$1" '$1==k {n[$6]++} END {printf "%d pass, %d fail, %d unsupported", n["pass"], n["fail"], n["unsupported"]}' "$results")
	say "$1: $counts in $2 s"
}

# print_matrix FORMAT: the results as a table with one column per kernel and
# one row per cmd/mode/buffer; reasons for anything but a plain pass become
# numbered notes under it. FORMAT is text or markdown.
print_matrix() {
	local legend="" label
	for label in "${ran[@]}"; do
		legend+="$label=${kernel_desc[$label]:-?};"
	done
	awk -F'|' -v fmt="$1" -v legend="$legend" -v order="${ran[*]}" '
	function cell(res, detail,   key, m) {
		if (res == "pass") {
			# for auto: which mode it chose ("using tracepoints ..." from printk)
			if (match(detail, /using [a-z]+/)) m = substr(detail, RSTART + 6, RLENGTH - 6)
			else if (match(detail, /attach [a-z]+/)) m = substr(detail, RSTART + 7, RLENGTH - 7)
			sub(/s$/, "", m)
			return m == "" ? "pass" : "pass (" m ")"
		}
		key = res ": " detail
		if (!(key in note)) { note[key] = ++nnotes; notes[nnotes] = key }
		return (res == "fail" ? "FAIL" : res) " [" note[key] "]"
	}
	{
		row = $3 " " $4 " " $5
		if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
		c = cell($6, $7)
		if ($4 != "auto" && c ~ /^pass \(/) c = "pass"
		val[row SUBSEP $1] = c
	}
	END {
		nk = split(order, ks, " ")
		ndesc = split(legend, descs, ";")
		if (fmt == "markdown") {
			printf "| cmd | mode | buffer |"; for (i = 1; i <= nk; i++) printf " %s |", ks[i]; printf "\n"
			printf "|---|---|---|"; for (i = 1; i <= nk; i++) printf "---|"; printf "\n"
			for (r = 1; r <= nrows; r++) {
				row = rows[r]; gsub(/ /, " | ", row)
				printf "| %s |", row
				for (i = 1; i <= nk; i++) { v = val[rows[r] SUBSEP ks[i]]; printf " %s |", (v == "" ? "-" : v) }
				printf "\n"
			}
			printf "\n"
			for (i = 1; i <= ndesc; i++) if (descs[i] != "") { split(descs[i], kv, "="); printf "- %s: %s\n", kv[1], kv[2] }
			if (nnotes) printf "\n"
			for (n = 1; n <= nnotes; n++) printf "- [%d] %s\n", n, notes[n]
		} else {
			w0 = length("cmd mode buffer")
			for (r = 1; r <= nrows; r++) if (length(rows[r]) > w0) w0 = length(rows[r])
			for (i = 1; i <= nk; i++) {
				w[i] = length(ks[i])
				for (r = 1; r <= nrows; r++) { v = val[rows[r] SUBSEP ks[i]]; if (length(v) > w[i]) w[i] = length(v) }
			}
			printf "%-" w0 "s", "cmd mode buffer"; for (i = 1; i <= nk; i++) printf "  %-" w[i] "s", ks[i]; printf "\n"
			for (r = 1; r <= nrows; r++) {
				printf "%-" w0 "s", rows[r]
				for (i = 1; i <= nk; i++) { v = val[rows[r] SUBSEP ks[i]]; printf "  %-" w[i] "s", (v == "" ? "-" : v) }
				printf "\n"
			}
			printf "\n"
			for (i = 1; i <= ndesc; i++) if (descs[i] != "") { split(descs[i], kv, "="); printf "  %s: %s\n", kv[1], kv[2] }
			for (n = 1; n <= nnotes; n++) printf "  [%d] %s\n", n, notes[n]
		}
	}' "$results"
}

cleanup() {
	local job
	for job in $(jobs -p); do kill -TERM "$job" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "${running_pid:-}" ] || stop_run "$running_pid"
	rm -rf "$work"
}

# run_kernel LABEL: boot LABEL (or run the host checks) and leave the outcome
# in $work/job-LABEL/: its result lines, what broke, its description and
# time. Runs as a background job, so several kernels boot at once.
run_kernel() {
	local label=$1 out=$work/job-$1 start pkg version suite waited
	mkdir -p "$out"
	results=$out/results
	broken=()
	: >"$results"
	running_pid=
	trap '[ -z "$running_pid" ] || stop_run "$running_pid"; exit 143' TERM INT
	start=$SECONDS
	if [ "$label" = host ]; then
		run_host
		collect host "$cache/logs/host.log" || true
		waited=$(cat "$work/host.waited" 2>/dev/null || echo 0)
		start=$((start + waited))
		if [ "$waited" -gt 0 ]; then
			echo "this machine, $(uname -r) (after waiting ${waited} s for $VMTEST_HOST_LOCK)" >"$out/desc"
		else
			echo "this machine, $(uname -r)" >"$out/desc"
		fi
	else
		read -r pkg version suite <"$cache/$label/package"
		echo "$pkg $version ($suite)" >"$out/desc"
		run_vm "$label"
		collect "$label" "$cache/logs/$label.log" || true
	fi
	echo $((SECONDS - start)) | tee "$cache/logs/$label.secs" >"$out/secs"
	[ ${#broken[@]} -eq 0 ] || printf '%s\n' "${broken[@]}" >"$out/broken"
}

main() {
	local label secs failed=0 want_vm=0 want_amd64=0 want_arm64=0 kernels_list todo=() line arch
	[ -f "$bin" ] || die "$bin not found: build it with 'make static'"
	bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
	if LC_ALL=C readelf -l "$bin" 2>/dev/null | grep -q 'program interpreter'; then
		die "$bin is dynamically linked: the VM has no libraries (use 'make static')"
	fi
	bin_arm64=${VMTEST_ARM64_BIN:-$bin-arm64}
	read -r -a kernels_list <<<"$kernels"
	for label in "${kernels_list[@]}"; do
		[ "$label" = host ] || suites_for "$label" >/dev/null ||
			die "unknown kernel '$label' in VMTEST_KERNELS (known: 5.10 6.1 6.12 newest 6.1-rt, each also as arm64-LABEL, and host)"
		case "$label" in
		host) ;;
		arm64-*) want_vm=1 want_arm64=1 ;;
		*) want_vm=1 want_amd64=1 ;;
		esac
	done
	[ "$jobs" -ge 1 ] 2>/dev/null || die "VMTEST_JOBS must be 1 or more, not '$jobs'"
	if [ "$want_vm" = 1 ]; then
		[ "$want_amd64" = 0 ] || command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (scripts/setup.sh vmtest)"
		command -v cpio >/dev/null || die "cpio not found (scripts/setup.sh vmtest)"
	fi
	if [ "$want_arm64" = 1 ]; then
		[ -f "$bin_arm64" ] || die "$bin_arm64 not found: build it with 'make static ARCH=arm64' (or set VMTEST_ARM64_BIN)"
		bin_arm64=$(cd "$(dirname "$bin_arm64")" && pwd)/$(basename "$bin_arm64")
		LC_ALL=C readelf -h "$bin_arm64" 2>/dev/null | grep -q 'Machine:.*AArch64' || die "$bin_arm64 is not an arm64 binary"
		if LC_ALL=C readelf -l "$bin_arm64" 2>/dev/null | grep -q 'program interpreter'; then
			die "$bin_arm64 is dynamically linked: the VM has no libraries (use 'make static ARCH=arm64')"
		fi
		local tool
		for tool in qemu-system-aarch64 qemu-aarch64 unshare bpftool; do
			command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh vmtest)"
		done
	fi

	work=$(mktemp -d /tmp/ebpf-hello-vmtest.XXXXXX)
	running_pid=
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$cache"
	results=$work/results
	: >"$results"
	broken=()
	ran=()
	declare -gA kernel_desc=()

	# Downloads first, one at a time; then the runs, $jobs at once.
	for label in "${kernels_list[@]}"; do
		if [ "$label" = host ] && [ "$(id -u)" -ne 0 ]; then
			say "host: skipped: loading BPF here needs root"
			continue
		elif [[ "$label" == arm64-* ]] && [ "$(id -u)" -ne 0 ]; then
			say "$label: skipped: compiling its programs needs root (a private mount of the arm64 kernel's BTF)"
			continue
		elif [[ "$label" == arm64-* ]] && ! fetch_busybox_arm64; then
			broken+=("$label: no arm64 busybox could be fetched")
			continue
		elif [ "$label" != host ]; then
			if ! fetch_kernel "$label"; then
				broken+=("$label: no kernel could be fetched")
				continue
			fi
			check_config "$label" || {
				broken+=("$label: kernel cannot boot the initramfs")
				continue
			}
		fi
		todo+=("$label")
	done
	if [ -n "${VMTEST_FETCH_ONLY:-}" ]; then
		say "kernels cached in $cache: ${todo[*]}"
		[ ${#broken[@]} -eq 0 ]
		return
	fi
	# The programs (and initramfs) of each architecture that will run.
	local archs=()
	for label in "${todo[@]}"; do
		arch=$(arch_of "$label")
		[[ " ${archs[*]} " == *" $arch "* ]] || archs+=("$arch")
		# The arm64 programs are compiled against the first arm64 kernel's BTF.
		[ "$arch" = amd64 ] || [ -n "${arm64_btf:-}" ] || [ ! -s "$cache/$label/btf" ] || arm64_btf=$cache/$label/btf
	done
	if [[ " ${archs[*]} " == *" arm64 "* ]] && [ -z "${arm64_btf:-}" ]; then
		die "no arm64 kernel's BTF was found in its image: cannot compile the arm64 programs"
	fi
	for arch in "${archs[@]}"; do
		build_programs "$arch"
		say "programs for run ($arch): $(find "$work/programs-$arch" -type f | wc -l) files, $(du -sh "$work/programs-$arch" | cut -f1)"
		[ "$want_vm" = 1 ] || continue
		[ "$arch" = arm64 ] || [ "$want_amd64" = 1 ] || continue
		build_initramfs "$arch"
		say "initramfs ($arch): $(du -h "$work/initrd-$arch.gz" | cut -f1) with $(basename "$([ "$arch" = amd64 ] && echo "$bin" || echo "$bin_arm64")")"
	done
	local total_start=$SECONDS order
	# VMs slowest first (by the last run's time), so the jobs end together.
	read -r -a order <<<"$(for label in "${todo[@]}"; do
		[ "$label" = host ] || echo "$(cat "$cache/logs/$label.secs" 2>/dev/null || echo 999) $label"
	done | sort -rn | cut -d' ' -f2 | tr '\n' ' ')"
	# The host checks use little CPU: they run beside the VMs, outside the
	# job slots (waiting for VMTEST_HOST_LOCK first, if set).
	local host_pid=none
	if [[ " ${todo[*]} " == *" host "* ]]; then
		say "host: running the checks on this machine's kernel ($(uname -r))${VMTEST_HOST_LOCK:+, under $VMTEST_HOST_LOCK}"
		run_kernel host &
		host_pid=$!
	fi
	# Per kernel, only the boot (or the host run) is timed: a first run's
	# downloads would skew the numbers.
	for label in "${order[@]}"; do
		while [ "$(jobs -rp | grep -cvx "$host_pid")" -ge "$jobs" ]; do wait -n || true; done
		say "$label: booting $(cut -d' ' -f1 "$cache/$label/package") (timeout ${vm_timeout}s)"
		run_kernel "$label" &
	done
	wait || true
	for label in "${todo[@]}"; do
		ran+=("$label")
		cat "$work/job-$label/results" >>"$results" 2>/dev/null || true
		if [ -s "$work/job-$label/broken" ]; then
			while IFS= read -r line; do broken+=("$line"); done <"$work/job-$label/broken"
		fi
		secs=$(cat "$work/job-$label/secs" 2>/dev/null || echo '?')
		summary "$label" "$secs"
		kernel_desc[$label]="$(cat "$work/job-$label/desc" 2>/dev/null), ${secs} s"
	done
	say "all kernels: $((SECONDS - total_start)) s"

	echo
	print_matrix text
	{
		echo "<!-- scripts/vmtest.sh, $(date -u +%Y-%m-%d) -->"
		print_matrix markdown
	} >"$cache/last-matrix.md"
	echo
	say "markdown table: $cache/last-matrix.md"

	if grep -q '^[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|fail|' "$results"; then
		say "FAILED: $(grep -c '^[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|fail|' "$results") check(s) failed"
		failed=1
	fi
	for label in "${broken[@]}"; do
		say "FAILED: $label"
		failed=1
	done
	[ "$failed" = 0 ] && say "ok: no check failed"
	return "$failed"
}

main
