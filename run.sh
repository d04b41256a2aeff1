#!/usr/bin/env bash
# The README's first command. On a fresh Debian 12 or 13 it installs what is
# missing (scripts/setup.sh: make, Go, clang, libbpf, bpftool...), builds
# bin/ebpf-hello, prepares run's compile cache, then traces every file open
# until Ctrl-C.
# Arguments go to `ebpf-hello open`, e.g. ./run.sh --comm cat
set -euo pipefail

# Installing packages and loading BPF need root: ask sudo when we are not.
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "$0: needs root: run it as root (su -c $0)" >&2; exit 1; }
	exec sudo -- bash "$0" "$@"
fi

cd "$(dirname "$0")"
scripts/ensure-setup.sh
make --no-print-directory build
# run's compile cache for this kernel, so a first `ebpf-hello run` starts
# warm (fast when it is there already); `open` does not need it.
bin/ebpf-hello prepare || echo "$0: note: 'ebpf-hello prepare' failed: a first 'run' will make the compile cache itself" >&2
exec bin/ebpf-hello open "$@"
