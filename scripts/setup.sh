#!/usr/bin/env bash
# Install what building and testing ebpf-hello needs. Safe to run again.
#
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh vmtest     also qemu and busybox for `make vmtest`
#   scripts/setup.sh bench      also bpftrace, and debootstrap + qemu for `make bench`'s BCC VM
#   scripts/setup.sh fresh      also debootstrap for `make fresh-test`
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
for want in "$@"; do
	case "$want" in
	vmtest) extras+=(qemu-system-x86 busybox-static cpio) ;;
	bench) extras+=(bpftrace time debootstrap qemu-system-x86 e2fsprogs libc6-dev) ;;
	fresh) extras+=(debootstrap) ;;
	*) die "unknown extra '$want' (known: vmtest, bench, fresh)" ;;
	esac
done

base=(clang llvm libelf-dev zlib1g-dev libzstd-dev make pkg-config gcc git ca-certificates util-linux procps)

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

# libbpf_version prints the installed libbpf-dev version (e.g. 1:1.4.6-1~bpo12+1), or nothing.
libbpf_version() { dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || true; }

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
[ -f /usr/lib/x86_64-linux-gnu/libbpf.a ] || [ -n "$(find /usr/lib* -name libbpf.a 2>/dev/null | head -1)" ] || die "libbpf.a not found: static linking needs the libbpf-dev package"
need_go=$(awk '$1 == "go" {print $2; exit}' "$here/../go.mod")
go_dir=$("$here/find-go.sh") || die "no Go $need_go or newer found (this distribution's golang-go is older): install one from https://go.dev/dl into /usr/local/go"
say "ok: clang $(clang -dumpversion), libbpf-dev $v, bpftool $(bpftool version 2>/dev/null | awk 'NR==1{print $2}'), $("$go_dir/go" version | awk '{print $3}') in $go_dir"
