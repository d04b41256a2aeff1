#!/usr/bin/env bash
# Print the directory of a Go toolchain new enough for go.mod, or nothing
# (exit 1) when there is none. Looks at `go` on PATH, then the official
# tarball's /usr/local/go, then Debian's golang packages (/usr/lib/go-1.NN,
# newest first: bookworm-backports installs 1.23 there, Debian 13 1.24).
#
# The Makefile, the entry scripts and setup.sh use it, so a Go that setup
# installed is found even when it is not on PATH.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

need=$(awk '$1 == "go" {print $2; exit}' go.mod)
[ -n "$need" ] || need=1.22

candidates=()
command -v go >/dev/null 2>&1 && candidates+=("$(dirname "$(command -v go)")")
candidates+=(/usr/local/go/bin)
while read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/go-1.*/bin 2>/dev/null | sort -rV)
candidates+=(/usr/lib/go/bin /usr/bin)

for dir in "${candidates[@]}"; do
	[ -x "$dir/go" ] || continue
	# "go version go1.23.5 linux/amd64" -> 1.23.5
	have=$(GOTOOLCHAIN=local "$dir/go" version 2>/dev/null | awk '{sub(/^go/, "", $3); print $3}')
	[ -n "$have" ] || continue
	# have >= need when need sorts first (or they are equal).
	if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" = "$need" ]; then
		echo "$dir"
		exit 0
	fi
done
exit 1
