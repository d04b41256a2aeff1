#!/usr/bin/env bash
# Run scripts/setup.sh only when a build tool is missing, so `make run` and
# `make test` work on a fresh machine and stay quick afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
need_setup=
for tool in make clang llvm-strip bpftool pkg-config ip; do
	command -v "$tool" >/dev/null || need_setup=1
done
scripts/find-go.sh >/dev/null || need_setup=1
# sys/sdt.h (systemtap-sdt-dev), for the USDT test: added to the set-up later.
compgen -G '/usr/include/*/sys/sdt.h' >/dev/null || [ -e /usr/include/sys/sdt.h ] || need_setup=1
# cross_ready: what `make static ARCH=arm64` needs is here (nothing on arm64).
cross_ready() {
	[ "$(uname -m)" = aarch64 ] && return 0
	command -v aarch64-linux-gnu-gcc >/dev/null || return 1
	local lib
	for lib in libbpf.a libelf.a libz.a libzstd.a; do
		[ -f "/usr/lib/aarch64-linux-gnu/$lib" ] || return 1
	done
}
for extra in "$@"; do
	case "$extra" in
	arm64) cross_ready || need_setup=1 ;;
	vmtest) command -v qemu-system-x86_64 >/dev/null && command -v qemu-system-aarch64 >/dev/null &&
		command -v qemu-aarch64 >/dev/null && [ -x /bin/busybox ] || need_setup=1
		# the arm64 VMs' cross set-up is automated on Debian only (scripts/setup.sh)
		if grep -q '^ID=debian' /etc/os-release 2>/dev/null && ! cross_ready; then need_setup=1; fi ;;
	bench) command -v bpftrace >/dev/null && [ -x /usr/bin/time ] && command -v debootstrap >/dev/null &&
		command -v qemu-system-x86_64 >/dev/null && command -v mke2fs >/dev/null &&
		/usr/bin/python3 -c 'import bcc' 2>/dev/null && ls -d /usr/src/linux-headers-*-common >/dev/null 2>&1 || need_setup=1 ;;
	fresh) command -v debootstrap >/dev/null || need_setup=1 ;;
	lint) command -v shellcheck >/dev/null && command -v clang-format >/dev/null || need_setup=1 ;;
	container) command -v debootstrap >/dev/null && command -v podman >/dev/null && command -v runc >/dev/null || need_setup=1 ;;
	esac
done
dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null | grep -Eq '1\.(4|5)\.' || need_setup=1
if [ -n "$need_setup" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "ensure-setup: build tools are missing; run 'sudo scripts/setup.sh' first" >&2
		exit 1
	fi
	scripts/setup.sh "$@"
fi
