#!/usr/bin/env bash
# The README's second command. On a fresh Debian 12 or 13 it installs what is
# missing (scripts/setup.sh: make, Go, clang, libbpf, bpftool...), then runs
# `make test`: every test, loading BPF into this kernel.
set -euo pipefail

# Installing packages and loading BPF need root: ask sudo when we are not.
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "$0: needs root: run it as root (su -c $0)" >&2; exit 1; }
	exec sudo -- bash "$0" "$@"
fi

cd "$(dirname "$0")"
scripts/ensure-setup.sh
exec make --no-print-directory test
