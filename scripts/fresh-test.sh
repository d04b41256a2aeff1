#!/usr/bin/env bash
# make fresh-test: the README's two commands on fresh Debian machines.
#
#   scripts/fresh-test.sh [SUITE...]      SUITE: bookworm (Debian 12), trixie (13); default both
#                                         podman: the same in a container (below)
#
# For each suite: a minimal root (debootstrap --variant=minbase, from the
# mirror apt uses here, kept as a tarball in ~/.cache/ebpf-hello for a week),
# this checkout's tracked files copied in (git archive, uncommitted changes
# included), /proc, /sys and /dev bound, and then in a chroot, as root, in the
# project directory, exactly the README's commands:
#   ./run.sh   must trace an open of a marker file within FRESH_RUN_TIMEOUT
#              seconds (setup and build included), then exit 0 on SIGINT;
#   ./test.sh  must pass.
# podman: the Debian 12 root, imported as a local image (podman import; no
# registry), run as a privileged container (podman --runtime runc run
# --privileged: its own PID namespace, tracefs not mounted, no
# /sys/kernel/debug). There ./run.sh must trace a marker opened by a shell
# whose PID, as `echo $$` shows it in the container, is the row's PID;
# `ebpf-hello doctor` must say it is in a container; and `ebpf-hello run
# hello.py` (the tutorial's) must print its Hello, World! line.
# Only this machine's network settings go into the root (resolver, apt's
# Acquire settings, extra CA certificates, proxy and Go proxy variables), not
# anything a user would not have. Needs root; the tests load BPF here.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "fresh-test: error: $*" >&2; exit 1; }
say() { echo "fresh-test: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "run as root: it builds a root with debootstrap and uses chroot"
command -v debootstrap >/dev/null || die "debootstrap is missing: scripts/setup.sh fresh installs it"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ebpf-hello
run_timeout=${FRESH_RUN_TIMEOUT:-900}
test_timeout=${FRESH_TEST_TIMEOUT:-1800}
arch=$(dpkg --print-architecture)
mkdir -p "$cache"

# The Debian mirror apt uses here (not the security one).
mirror=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

# Network settings of this machine, passed as environment around the
# README's commands: proxies and the Go module proxy configuration.
netenv=()
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY EBPF_HELLO_REQUIRE_BPF; do
	[ -n "${!v:-}" ] && netenv+=("$v=${!v}")
done
if go_dir=$(scripts/find-go.sh); then
	for v in GOPROXY GONOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOINSECURE GOFLAGS; do
		val=$(GOTOOLCHAIN=local "$go_dir/go" env "$v")
		[ -n "$val" ] && netenv+=("$v=$val")
	done
else
	for v in GOPROXY GONOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOINSECURE GOFLAGS; do
		[ -n "${!v:-}" ] && netenv+=("$v=${!v}")
	done
fi

work=$(mktemp -d /var/tmp/ebpf-hello-fresh.XXXXXX)
root=
run_pid=
containers=()
podman=(podman)

# mounts_under prints the mount points below $1, deepest first.
mounts_under() { findmnt -rn -o TARGET | awk -v p="$1/" 'index($0, p) == 1' | sort -r; }

# cleanup stops what runs in the root, unmounts everything below the work
# directory and removes it (never across a mount still there).
cleanup() {
	local m pid left c
	[ -n "$run_pid" ] && kill -KILL -- "-$run_pid" 2>/dev/null
	for c in "${containers[@]}"; do "${podman[@]}" rm -f "$c" >/dev/null 2>&1; done
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		case "$(readlink "/proc/$pid/root" 2>/dev/null)" in "$work"/*) kill -KILL "$pid" 2>/dev/null ;; esac
	done
	for m in $(mounts_under "$work"); do umount "$m" 2>/dev/null || umount -l "$m"; done
	left=$(mounts_under "$work")
	if [ -n "$left" ]; then
		say "still mounted, leaving $work: $left"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# make_root SUITE: unpack the cached minimal root of SUITE into $root, after
# making it with debootstrap when there is none or it is older than 7 days.
make_root() {
	local suite=$1 tarball="$cache/root-$1-minbase-$arch.tar"
	mkdir -p "$root"
	if [ -s "$tarball" ] && [ -z "$(find "$tarball" -mtime +7)" ]; then
		tar -C "$root" --numeric-owner -xpf "$tarball"
		return
	fi
	say "$suite: debootstrap --variant=minbase $suite from $mirror"
	if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap-$suite.log" 2>&1; then
		tail -20 "$work/debootstrap-$suite.log" >&2
		die "$suite: debootstrap failed"
	fi
	tar -C "$root" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
}

# copy_in: the project's tracked files into /root/ebpf-hello, and the
# network settings into /etc.
copy_in() {
	local dest="$root/root/ebpf-hello" f rev
	mkdir -p "$dest"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# git stash create: a commit of the working tree, or nothing when clean.
		rev=$(git stash create)
		git archive --format=tar "${rev:-HEAD}" | tar -C "$dest" -xf -
	else
		tar --exclude=./bin --exclude='*.o' --exclude='*.d' --exclude=./bpf/vmlinux.h -cf - . | tar -C "$dest" -xf -
	fi
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
		[ -f "$f" ] && grep -qi 'acquire' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
	done
	if [ -d /usr/local/share/ca-certificates ]; then
		mkdir -p "$root/usr/local/share/ca-certificates"
		cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
	fi
	return 0
}

# mount_all: the kernel's file systems, bound as slaves so that nothing
# unmounted in the root propagates back here; apt's download cache is kept
# between runs.
mount_all() {
	local d
	mount -t proc proc "$root/proc"
	for d in sys dev; do
		mount --rbind "/$d" "$root/$d"
		mount --make-rslave "$root/$d"
	done
	mkdir -p "$cache/apt-$1/partial"
	mount --bind "$cache/apt-$1" "$root/var/cache/apt/archives"
}

# check_run: ./run.sh in the background; an open of a marker file must show
# up in its output, then SIGINT must end it with exit status 0.
check_run() {
	local suite=$1
	local log="$work/run-$suite.log" marker="ebpf-hello-fresh-marker-$$-$RANDOM"
	local start=$SECONDS t_setup='' t_ready='' rc
	: >"$root/tmp/$marker"
	: >"$log"
	setsid chroot "$root" /usr/bin/env -i "${rootenv[@]}" "${netenv[@]}" \
		bash -c 'cd /root/ebpf-hello && ./run.sh' </dev/null >"$log" 2>&1 &
	run_pid=$!
	while :; do
		kill -0 "$run_pid" 2>/dev/null || { tail -30 "$log" >&2; die "$suite: ./run.sh ended before tracing an open"; }
		[ -z "$t_setup" ] && grep -q '^setup: ok' "$log" && t_setup=$((SECONDS - start))
		[ -z "$t_ready" ] && grep -qx 'ebpf-hello: ready' "$log" && t_ready=$((SECONDS - start))
		[ -n "$t_ready" ] && { read -r _ <"$root/tmp/$marker" || true; }
		grep -q "$marker" "$log" && break
		[ $((SECONDS - start)) -lt "$run_timeout" ] || { tail -30 "$log" >&2; die "$suite: ./run.sh traced no open of the marker within ${run_timeout}s"; }
		sleep 0.5
	done
	times+=("$suite ./run.sh: ${t_setup:+setup done at ${t_setup}s, }tracing at ${t_ready}s, marker traced at $((SECONDS - start))s")
	kill -INT -- "-$run_pid"
	for _ in $(seq 50); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.2; done
	rc=0
	wait "$run_pid" || rc=$?
	run_pid=
	sed -n '/^ebpf-hello: ready$/{p;q;};p' "$log" | sed "s/^/fresh-test: $suite: run.sh: /" >&2
	grep -m1 "$marker" "$log" | sed "s/^/fresh-test: $suite: traced: /" >&2
	tail -1 "$log" | sed "s/^/fresh-test: $suite: at SIGINT: /" >&2
	[ "$rc" -eq 0 ] || { tail -30 "$log" >&2; die "$suite: ./run.sh exited with status $rc after SIGINT (want 0)"; }
	grep -Eq '[0-9]+ events, [0-9]+ lost' "$log" || { tail -30 "$log" >&2; die "$suite: ./run.sh printed no 'N events, M lost' at exit"; }
}

# check_test: ./test.sh must pass.
check_test() {
	local suite=$1 start=$SECONDS rc=0
	timeout -k 10 "$test_timeout" chroot "$root" /usr/bin/env -i "${rootenv[@]}" "${netenv[@]}" \
		bash -c 'cd /root/ebpf-hello && ./test.sh' </dev/null || rc=$?
	[ "$rc" -eq 0 ] || die "$suite: ./test.sh failed (status $rc)"
	times+=("$suite ./test.sh: $((SECONDS - start))s")
}

# check_container: the README's main command, doctor and run hello.py in a
# privileged podman container made from the Debian 12 root.
check_container() {
	local suite=bookworm image=localhost/ebpf-hello-fresh:bookworm name="ebpf-hello-fresh-$$" start=$SECONDS
	local log="$work/run-podman.log" marker="/tmp/ebpf-hello-container-marker-$$" pid row rc conf="$work/containers.conf"
	command -v podman >/dev/null || die "podman is missing: scripts/setup.sh container installs it"
	command -v runc >/dev/null || die "runc is missing: scripts/setup.sh container installs it"
	# Debian's podman here: crun refuses this machine's cgroups ("hybrid
	# mode"), and root lacks CAP_SYS_RESOURCE for podman's default rlimits.
	printf '[containers]\ndefault_ulimits = []\n' >"$conf"
	podman=(env CONTAINERS_CONF="$conf" podman --runtime runc)
	root="$work/podman"
	make_root "$suite"
	copy_in
	"${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
	tar -C "$root" --numeric-owner -cf - . | "${podman[@]}" import - "$image" >/dev/null
	rm -rf --one-file-system "$root"
	mkdir -p "$cache/apt-$suite/partial"
	containers+=("$name")
	local envargs=() v
	for v in "${rootenv[@]}" "${netenv[@]}"; do envargs+=(--env "$v"); done
	"${podman[@]}" run -d --privileged --network host --name "$name" \
		-v "$cache/apt-$suite:/var/cache/apt/archives" "${envargs[@]}" "$image" sleep infinity >/dev/null
	times+=("podman image and container: $((SECONDS - start))s")

	# ./run.sh, as a learner in the container runs it.
	: >"$log"
	"${podman[@]}" exec "$name" bash -c 'cd /root/ebpf-hello && ./run.sh' </dev/null >"$log" 2>&1 &
	run_pid=$!
	while ! grep -qx 'ebpf-hello: ready' "$log"; do
		kill -0 "$run_pid" 2>/dev/null || { tail -30 "$log" >&2; die "podman: ./run.sh ended before it was ready"; }
		[ $((SECONDS - start)) -lt "$run_timeout" ] || { tail -30 "$log" >&2; die "podman: ./run.sh not ready within ${run_timeout}s"; }
		sleep 0.5
	done
	times+=("podman ./run.sh: tracing at $((SECONDS - start))s")
	# A shell in the container says its PID, then becomes cat and opens the marker.
	pid=$("${podman[@]}" exec "$name" sh -c "echo \$\$; exec cat $marker 2>/dev/null" || true) # no such file: the open fails, and is traced
	while ! row=$(grep -F "$marker" "$log"); do
		kill -0 "$run_pid" 2>/dev/null || { tail -30 "$log" >&2; die "podman: ./run.sh ended before tracing the marker"; }
		[ $((SECONDS - start)) -lt "$run_timeout" ] || { tail -30 "$log" >&2; die "podman: no row for the marker within ${run_timeout}s"; }
		sleep 0.2
	done
	say "podman: run.sh: $(grep -m1 'PID namespace' "$log" || echo 'no PID namespace note')"
	say "podman: traced: $row (the shell said its PID is $pid)"
	[ "$(echo "$row" | awk '{print $3}')" = "$pid" ] || die "podman: the row's PID is not $pid, the PID the container's shell has"
	"${podman[@]}" exec "$name" pkill -INT -x ebpf-hello || die "podman: no ebpf-hello to stop"
	rc=0
	wait "$run_pid" || rc=$?
	run_pid=
	[ "$rc" -eq 0 ] || { tail -30 "$log" >&2; die "podman: ./run.sh exited with status $rc after SIGINT (want 0)"; }
	grep -Eq '[0-9]+ events, [0-9]+ lost' "$log" || { tail -30 "$log" >&2; die "podman: ./run.sh printed no 'N events, M lost' at exit"; }

	# exec: a shell says its PID, then becomes true; the row must show it.
	# shellcheck disable=SC2016 # the container's shell expands these
	"${podman[@]}" exec "$name" bash -c 'cd /root/ebpf-hello
		bin/ebpf-hello exec --count 1 --comm true >/tmp/exec.out 2>/tmp/exec.err & tracer=$!
		for _ in $(seq 600); do grep -qx "ebpf-hello: ready" /tmp/exec.err && break; sleep 0.1; done
		sh -c "echo \$\$ >/tmp/exec.pid; exec /bin/true"
		timeout 60 tail --pid=$tracer -f /dev/null; wait $tracer || { cat /tmp/exec.err; exit 1; }
		row=$(tail -1 /tmp/exec.out); echo "$row (the shell said its PID is $(cat /tmp/exec.pid))"
		[ "$(echo "$row" | awk "{print \$3}")" = "$(cat /tmp/exec.pid)" ]' >"$work/exec-podman.log" 2>&1 ||
		{ cat "$work/exec-podman.log" >&2; die "podman: exec's row does not show the PID the container's shell has"; }
	sed 's/^/fresh-test: podman: exec: /' "$work/exec-podman.log" >&2

	# doctor knows where it is.
	"${podman[@]}" exec "$name" /root/ebpf-hello/bin/ebpf-hello doctor >"$work/doctor-podman.log" 2>&1 ||
		{ cat "$work/doctor-podman.log" >&2; die "podman: ebpf-hello doctor failed"; }
	grep -E '^(info|warn) +pid_namespace .*container: podman' "$work/doctor-podman.log" | sed 's/^/fresh-test: podman: doctor: /' >&2 ||
		{ cat "$work/doctor-podman.log" >&2; die "podman: doctor did not say it runs in a podman container"; }

	# The tutorial's hello.py, unchanged, through run; cat opens files until it prints.
	"${podman[@]}" exec "$name" bash -c 'cd /root/ebpf-hello && timeout 300 bin/ebpf-hello run internal/bcc/testdata/tutorial/hello.py --count 1 &
		for _ in $(seq 600); do cat /etc/hostname >/dev/null; sleep 0.5; kill -0 $! 2>/dev/null || break; done; wait $!' \
		>"$work/hello-podman.log" 2>&1 || { cat "$work/hello-podman.log" >&2; die "podman: run hello.py failed"; }
	grep -m1 'Hello, World!' "$work/hello-podman.log" | sed 's/^/fresh-test: podman: run hello.py: /' >&2 ||
		{ cat "$work/hello-podman.log" >&2; die "podman: run hello.py printed no Hello, World!"; }
	times+=("podman: all checks at $((SECONDS - start))s")
}

rootenv=(HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
times=()
n=0
for suite in "${suites[@]}"; do
	case "$suite" in
	bookworm | trixie) ;;
	podman) check_container; continue ;;
	*) die "unknown suite '$suite' (known: bookworm, trixie, podman)" ;;
	esac
	root="$work/$suite"

	t=$SECONDS
	make_root "$suite"
	times+=("$suite root (debootstrap, or the cached tarball): $((SECONDS - t))s")
	copy_in
	mount_all "$suite"

	# Each command must set a fresh machine up on its own: the first suite
	# starts with ./run.sh, the next with ./test.sh, and so on.
	if [ $((n++ % 2)) -eq 0 ]; then order=(run test); else order=(test run); fi
	for cmd in "${order[@]}"; do
		say "$suite: ./$cmd.sh"
		"check_$cmd" "$suite"
	done

	for m in $(mounts_under "$root"); do umount "$m" 2>/dev/null || umount -l "$m"; done
	[ -z "$(mounts_under "$root")" ] && rm -rf --one-file-system "$root"
done

say "passed: ${suites[*]} in $SECONDS s"
for t in "${times[@]}"; do say "time: $t"; done
