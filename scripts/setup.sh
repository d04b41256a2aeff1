#!/usr/bin/env bash
# Install what building and testing ebpf-hello needs. Safe to run again.
#
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh arm64      also what `make static ARCH=arm64` needs on x86-64 (Debian):
#                               gcc-aarch64-linux-gnu, and arm64 libbpf, libelf, zlib and
#                               zstd through multiarch (dpkg --add-architecture arm64)
#   scripts/setup.sh vmtest     also qemu (x86-64 and arm64) and busybox for `make vmtest`,
#                               and arm64 as above (its arm64 kernels)
#   scripts/setup.sh bench      also bpftrace, and debootstrap + qemu for `make bench`'s BCC VM
#   scripts/setup.sh fresh      also debootstrap for `make fresh-test`
#   scripts/setup.sh container  also debootstrap, podman and runc for `make container-test`
#   scripts/setup.sh lint       also shellcheck and clang-format for `make lint` (which
#                               builds staticcheck itself, with Go, into .cache/)
#
# On Debian 12 the stock libbpf (1.1.2) and Go (1.19) are too old for the
# libbpfgo we pin (v0.8.0-libbpf-1.5) and for go.mod, so libbpf-dev, bpftool
# and golang-go come from bookworm-backports. Go is installed only when no Go
# new enough for go.mod is there already (scripts/find-go.sh).
set -euo pipefail
here=$(dirname "$0")

die() { echo "setup: error: $*" >&2; exit 1; }
say() { echo "setup: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo scripts/setup.sh): it installs system packages"
[ -r /etc/os-release ] || die "cannot read /etc/os-release: unknown distribution"
. /etc/os-release

extras=()
lean=() # installed without their Recommends (qemu's firmware and binfmt set-up are not needed)
cross=
for want in "$@"; do
	case "$want" in
	arm64) cross=arm64 ;;
	# qemu-user runs the arm64 binary here, to compile the arm64 VMs' programs.
	vmtest) extras+=(busybox-static cpio) lean+=(qemu-system-x86 qemu-system-arm qemu-user) cross=${cross:-vmtest} ;;
	bench) extras+=(bpftrace time debootstrap qemu-system-x86 e2fsprogs libc6-dev python3-bpfcc "linux-headers-$(dpkg --print-architecture)") ;;
	fresh) extras+=(debootstrap) ;;
	# runc: Debian's default crun refuses these machines' cgroups ("hybrid mode").
	container) extras+=(debootstrap) lean+=(podman runc) ;;
	lint) extras+=(shellcheck clang-format) ;;
	*) die "unknown extra '$want' (known: arm64, vmtest, bench, fresh, container, lint)" ;;
	esac
done

# systemtap-sdt-dev: sys/sdt.h, for the USDT test's target program;
# iproute2: the veth pair the XDP, tc and socket filter tests use.
base=(clang llvm libelf-dev zlib1g-dev libzstd-dev make pkg-config gcc git ca-certificates util-linux procps systemtap-sdt-dev iproute2)

# apt_install installs only what is missing, so a second run is quick and offline.
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

# apt_install_lean installs what is missing without its Recommends.
apt_install_lean() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# setup_arm64: what cross-compiling the static arm64 binary on x86-64 needs
# (Debian only): the cross gcc (its libc.a included), and arm64 builds of
# the libraries the binary links. They come through multiarch, in exactly
# the versions installed for this machine's architecture: Multi-Arch: same
# packages must match, and asking for arm64's newest instead would upgrade
# the native ones too (libelf-dev 0.192 from bookworm-backports, say, whose
# libelf.a cannot be linked statically: eu_search_tree_init is missing).
setup_arm64() {
	local native p v have want=()
	case "$(uname -m)" in
	aarch64) return 0 ;; # native: the base packages are arm64's
	x86_64) ;;
	*) die "arm64: cross-compiling is set up on x86-64 only, not $(uname -m)" ;;
	esac
	if [ "${ID:-}" != debian ]; then
		local how="install gcc-aarch64-linux-gnu and arm64 builds of libbpf-dev (same version), libelf-dev, zlib1g-dev and libzstd-dev"
		[ "$cross" = arm64 ] || {
			say "note: the arm64 VMs of make vmtest need a cross set-up, automated on Debian only: $how"
			return 0
		}
		die "arm64: the cross set-up is automated on Debian only: $how"
	fi
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		say "adding the arm64 architecture (multiarch: arm64 libraries for the cross build)"
		dpkg --add-architecture arm64
		apt-get update -q >/dev/null
	fi
	apt_install_lean gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	native=$(dpkg --print-architecture)
	# The -dev packages and the libraries they need in exactly their version
	# (libelf1, or libelf1t64 on Debian 13), as installed for this machine.
	local pkgs=()
	for p in libbpf-dev libelf-dev zlib1g-dev libzstd-dev; do
		pkgs+=("$p")
		v=$(dpkg-query -W -f='${Depends}' "$p:$native" 2>/dev/null) || die "arm64: $p is not installed for $native"
		while read -r dep; do pkgs+=("$dep"); done < <(tr ',' '\n' <<<"$v" | sed -n 's/^ *\([a-z0-9.+-]*\)\(:any\)\{0,1\} *(= .*/\1/p')
	done
	for p in "${pkgs[@]}"; do
		v=$(dpkg-query -W -f='${Version}' "$p:$native" 2>/dev/null) || die "arm64: $p is not installed for $native"
		have=$(dpkg-query -W -f='${Status} ${Version}' "$p:arm64" 2>/dev/null || true)
		[ "$have" = "install ok installed $v" ] || want+=("$p:arm64=$v")
	done
	[ ${#want[@]} -eq 0 ] && return 0
	say "installing ${want[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null ||
		die "arm64: cannot install ${want[*]} (the archive no longer has these versions? apt-get update && apt-get upgrade, then run this again)"
}

# libbpf_version prints the installed libbpf-dev version (e.g. 1:1.4.6-1~bpo12+1), or nothing.
libbpf_version() { dpkg-query -W -f='${Version}' "libbpf-dev:$(dpkg --print-architecture)" 2>/dev/null || true; }

# add_backports writes a deb822 source for bookworm-backports that uses the
# same mirror as the machine's own Debian source.
add_backports() {
	local list=/etc/apt/sources.list.d/ebpf-hello-backports.sources
	[ -f "$list" ] && return 0
	local uri keyring
	uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt to add bookworm-backports"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	say "adding bookworm-backports from $uri"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' "$uri" "$keyring" >"$list"
	apt-get update -q >/dev/null
}

case "${ID:-}:${VERSION_ID:-}" in
debian:12)
	[ -n "$(find /var/lib/apt/lists -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ] || apt-get update -q >/dev/null
	add_backports
	apt_install "${base[@]}" "${extras[@]}"
	apt_install_lean "${lean[@]}"
	case "$(libbpf_version)" in
	*1.4.* | *1.5.*) ;;
	*)
		say "installing libbpf-dev and bpftool from bookworm-backports"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q -t bookworm-backports libbpf-dev bpftool >/dev/null
		;;
	esac
	command -v bpftool >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q -t bookworm-backports bpftool >/dev/null
	if ! "$here/find-go.sh" >/dev/null; then
		say "installing golang-go from bookworm-backports"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q -t bookworm-backports golang-go >/dev/null
	fi
	;;
debian:13 | ubuntu:24.* | ubuntu:25.*)
	# These ship libbpf >= 1.4 in their own archive.
	apt-get update -q >/dev/null
	apt_install "${base[@]}" libbpf-dev "${extras[@]}"
	apt_install_lean "${lean[@]}"
	command -v bpftool >/dev/null || apt_install bpftool || apt_install "linux-tools-$(uname -r)"
	"$here/find-go.sh" >/dev/null || apt_install golang-go
	;;
ubuntu:* | debian:*)
	die "$PRETTY_NAME ships a libbpf older than 1.4; use Debian 12 (with backports), Debian 13 or Ubuntu 24.04+"
	;;
fedora:* | rhel:* | centos:* | rocky:* | almalinux:*)
	die "$PRETTY_NAME: not automated yet; install clang llvm make pkgconf elfutils-libelf-devel zlib-devel libzstd-devel libbpf-devel (>= 1.4, with libbpf-static) bpftool with dnf, then run 'make build'"
	;;
*)
	die "unsupported distribution '${PRETTY_NAME:-unknown}': see scripts/setup.sh for the packages to install by hand"
	;;
esac

v=$(libbpf_version)
case "$v" in *1.4.* | *1.5.*) ;; *) die "libbpf-dev is '$v', need 1.4.x or 1.5.x" ;; esac
[ -z "$cross" ] || setup_arm64
[ -f /usr/lib/x86_64-linux-gnu/libbpf.a ] || [ -n "$(find /usr/lib* -name libbpf.a 2>/dev/null | head -1)" ] || die "libbpf.a not found: static linking needs the libbpf-dev package"
need_go=$(awk '$1 == "go" {print $2; exit}' "$here/../go.mod")
go_dir=$("$here/find-go.sh") || die "no Go $need_go or newer found (this distribution's golang-go is older): install one from https://go.dev/dl into /usr/local/go"
say "ok: clang $(clang -dumpversion), libbpf-dev $v, bpftool $(bpftool version 2>/dev/null | awk 'NR==1{print $2}'), $("$go_dir/go" version | awk '{print $3}') in $go_dir"
