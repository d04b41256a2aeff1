#!/usr/bin/env bash
# make bench: how ebpf-hello open keeps up with a flood of opens, side by
# side with bpftrace on the same workload, in one run.
#
# For each tracer and workload: a C opener (scripts/bench/opener.c, comm
# "ehbench") opens a marker file COUNT times, as fast as it can or at a fixed
# rate, while the tracer runs filtered to that comm. Reported: events seen /
# opens done, lost, the opener's time and its slowdown versus no tracing, the
# tracer's start-up time (start to "ready") and the latency of a first event,
# its peak RSS and CPU time.
#
#   scripts/bench.sh [bin/ebpf-hello]     BENCH_COUNT=200000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-bin/ebpf-hello}
count=${BENCH_COUNT:-200000}
rates=${BENCH_RATES:-"max 50000 200000"}
work=$(mktemp -d /tmp/ebpf-hello-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
marker=$work/marker
: >"$marker"

say() { echo "bench: $*" >&2; }
die() { say "error: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root: the tracers load BPF"
[ -x "$bin" ] || die "$bin not built (make build)"
command -v bpftrace >/dev/null || die "bpftrace not installed (scripts/setup.sh bench)"
[ -x /usr/bin/time ] || die "/usr/bin/time not installed (scripts/setup.sh bench)"
gcc -O2 -Wall -o "$work/opener" scripts/bench/opener.c

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_opener RATE: prints the seconds the opener took.
run_opener() {
	if [ "$1" = max ]; then "$work/opener" "$marker" "$count"; else "$work/opener" "$marker" "$count" "$1"; fi
}

# wait_for FILE TEXT: wait (max 30 s) until FILE contains TEXT.
wait_for() {
	local deadline=$(($(now_ms) + 30000))
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.005
	done
}

# settle FILE: wait until FILE stops growing (the tracer has caught up).
settle() {
	local last=-1 size
	for _ in $(seq 200); do
		size=$(stat -c %s "$1")
		[ "$size" = "$last" ] && return 0
		last=$size
		sleep 0.1
	done
}

# measure NAME RATE READY_FILE READY_TEXT CMD...: run one tracer over one
# workload; appends a result row to $work/rows.
measure() {
	local name=$1 rate=$2 ready_file=$3 ready_text=$4
	shift 4
	local out=$work/out err=$work/err tm=$work/time
	: >"$out"
	: >"$err"
	local t0
	t0=$(now_ms)
	/usr/bin/time -f '%M %U %S' -o "$tm" "$@" >"$out" 2>"$err" &
	local pid=$!
	[ "$ready_file" = out ] && ready_file=$out || ready_file=$err
	wait_for "$ready_file" "$ready_text" || { cat "$err" >&2; kill "$pid"; die "$name did not start"; }
	local startup=$(($(now_ms) - t0))
	# Latency of a first event: one open, then wait for it to be printed.
	local t1
	t1=$(now_ms)
	"$work/opener" "$marker" 1 >/dev/null
	wait_for "$out" "$marker" || die "$name never printed the first open"
	local first=$(($(now_ms) - t1))
	local secs
	secs=$(run_opener "$rate")
	settle "$out"
	# SIGINT the tracer itself, not /usr/bin/time.
	pkill -INT -P "$pid" || true
	wait "$pid" || true
	local seen lost rss cpu
	seen=$(($(grep -cF -- "$marker" "$out") - 1)) # minus the first-event probe
	lost=$(sed -n 's/.* \([0-9][0-9]*\) lost.*/\1/p' "$err" | tail -1)
	read -r rss user sys <"$tm"
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
	echo "$name|$rate|$count|$seen|${lost:--}|$secs|$startup|$first|$((rss / 1024))|$cpu" >>"$work/rows"
	say "$name at $rate: $seen/$count events, lost ${lost:--}, opener ${secs}s"
}

bt_script='tracepoint:syscalls:sys_enter_openat /comm == "ehbench"/ { printf("%s %d %s\n", comm, pid, str(args->filename)); }'

: >"$work/rows"
for rate in $rates; do
	base=$(run_opener "$rate")
	echo "no tracing|$rate|$count|-|-|$base|-|-|-|-" >>"$work/rows"
	eval "base_$rate=$base"
	measure "ebpf-hello perf" "$rate" err "tracing file opens" "$bin" open --comm ehbench --buffer perf
	measure "ebpf-hello ring" "$rate" err "tracing file opens" "$bin" open --comm ehbench --buffer ring
	measure "bpftrace" "$rate" out "Attaching" bpftrace -e "$bt_script"
done

# The table: slowdown is the opener's time over its time with no tracing.
printf '\n%-16s %-7s %-16s %-7s %-9s %-8s %-9s %-8s %-7s %-7s %s\n' \
	TRACER RATE EVENTS LOST OPENER_S SLOWDOWN STARTUP_MS FIRST_MS RSS_MB CPU_S
while IFS='|' read -r name rate n seen lost secs startup first rss cpu; do
	base_var=base_$rate
	slow=$(awk -v a="$secs" -v b="${!base_var}" 'BEGIN{printf "%.2fx", a/b}')
	events="$seen/$n"
	[ "$seen" = - ] && events=-
	printf '%-16s %-7s %-16s %-7s %-9s %-8s %-10s %-8s %-7s %-7s\n' \
		"$name" "$rate" "$events" "$lost" "$secs" "$slow" "$startup" "$first" "$rss" "$cpu"
done <"$work/rows"

# Ratios against bpftrace at each rate, from the same run.
echo
for rate in $rates; do
	bt=$(awk -F'|' -v r="$rate" '$1=="bpftrace" && $2==r {print $6}' "$work/rows")
	for tracer in "ebpf-hello perf" "ebpf-hello ring"; do
		ours=$(awk -F'|' -v r="$rate" -v t="$tracer" '$1==t && $2==r {print $6}' "$work/rows")
		awk -v t="$tracer" -v r="$rate" -v o="$ours" -v b="$bt" \
			'BEGIN{printf "%-16s at %-7s opener time vs bpftrace: %.2f\n", t, r, o/b}'
	done
done
