#!/bin/sh
# Inside the BCC benchmark VM (scripts/bench/bcc-vm.sh boots it): the
# tutorial's hello2.py under BCC, then under `ebpf-hello run` with an empty
# and with a warm compile cache, ROUNDS times each, in this order, in one boot.
#
# Per run: the tracer starts; firstevent opens a marker file every 5 ms until
# the tracer prints an event naming it (time to first event, from the start);
# then the tracer's own peak RSS (VmHWM) is read and it gets SIGINT; GNU time
# gives the peak RSS of its whole process tree (clang included for ours).
#
# One line per run on the serial console, read by bcc-vm.sh:
#   BENCH|<tracer>|<round>|ok|<first event ms>|<tree peak RSS KB>|<tracer VmHWM KB>|<first event row>
#   BENCH|<tracer>|<round>|fail|<reason>
# then BENCH-NOTE|<text> lines and BENCH-DONE.
set -u
B=/tmp/bench
cd "$B" || exit 1
grep -q ' /sys/kernel/tracing ' /proc/mounts || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Only kernel errors on the console, so they cannot cut our lines.
echo 4 >/proc/sys/kernel/printk
exec </dev/console >/dev/console 2>&1
ROUNDS=$(cat rounds)
TIMEOUT=400

clean() { printf '%s' "$1" | tr '|\n\r' '/  ' | cut -c1-1600; }
now_ms() { date +%s%3N; }

# measure NAME ROUND CMD...: one run of one tracer (see the top).
measure() {
	name=$1 round=$2
	shift 2
	out=$B/$name-$round.out err=$B/$name-$round.err tm=$B/$name-$round.time
	marker=/tmp/ehb-first-$name-$round
	: >"$marker"
	: >"$out"
	t0=$(now_ms)
	/usr/bin/time -f '%M' -o "$tm" "$@" >"$out" 2>"$err" &
	tpid=$!
	if ! seen=$("$B/firstevent" "$marker" "$out" "$TIMEOUT" "$tpid" 2>"$B/fe.err"); then
		pkill -INT -P "$tpid" 2>/dev/null
		sleep 2
		pkill -KILL -P "$tpid" 2>/dev/null
		wait "$tpid"
		echo "BENCH|$name|$round|fail|$(clean "$(cat "$B/fe.err"); stderr: $(tail -n 3 "$err")")"
		return
	fi
	first=$((seen - t0))
	child=$(pgrep -P "$tpid" | head -n 1)
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$child/status" 2>/dev/null)
	kill -INT "$child" 2>/dev/null
	n=0
	while kill -0 "$child" 2>/dev/null && [ "$n" -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "$child" 2>/dev/null
	wait "$tpid"
	rss=$(tail -n 1 "$tm")
	row=$(grep -m 1 -F "$marker" "$out")
	echo "BENCH|$name|$round|ok|$first|$rss|${hwm:-0}|$(clean "$row")"
}

# In a fresh boot the first run of anything reads its files from disk: read
# them all once, so the first round is not penalised more than the others.
cat /usr/lib/x86_64-linux-gnu/libbcc* /usr/lib/llvm-14/lib/* /usr/lib/x86_64-linux-gnu/libclang-cpp* \
	/usr/lib/x86_64-linux-gnu/libLLVM* "$B/ebpf-hello" >/dev/null 2>&1

echo "BENCH-BEGIN|$(uname -r)"
if [ -f debug ]; then
	# BENCH_VM_DEBUG=1: where does BCC spend its time? One run, with its state every 15 s.
	t0=$(now_ms)
	python3 -c 'import bcc' && echo "BENCH-NOTE|import bcc: $(($(now_ms) - t0)) ms"
	PYTHONUNBUFFERED=1 python3 -X faulthandler hello2.py >dbg.out 2>dbg.err &
	p=$!
	for i in $(seq 20); do
		sleep 15
		kill -0 $p 2>/dev/null || break
		echo "BENCH-NOTE|$((i * 15)) s: state $(awk '{print $3, "utime", $14, "stime", $15}' /proc/$p/stat) wchan $(cat /proc/$p/wchan) out $(wc -l <dbg.out) lines: $(clean "$(tail -n 2 dbg.out)") err: $(clean "$(tail -n 2 dbg.err)")"
	done
	kill -ABRT $p
	sleep 3
	echo "BENCH-NOTE|after SIGABRT: $(clean "$(tail -c 1500 dbg.err)")"
	echo "BENCH-DONE"
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
fi
have_run=1
"$B/ebpf-hello" run --help >/dev/null 2>&1 || have_run=
r=1
while [ "$r" -le "$ROUNDS" ]; do
	# hello2.py loads trace-open.c (the tutorial's hello2.c, copied so).
	# PYTHONUNBUFFERED: print() to a file would otherwise sit in an 8 KB buffer.
	measure bcc "$r" env PYTHONUNBUFFERED=1 python3 hello2.py
	rm -rf "/tmp/cache-$r"
	if [ -z "$have_run" ]; then
		echo "BENCH|ebpf-hello|$r|fail|this ebpf-hello has no run command"
		r=$((r + 1))
		continue
	fi
	measure "ebpf-hello-cold-cache" "$r" env EBPF_HELLO_CACHE="/tmp/cache-$r" "$B/ebpf-hello" run hello2.py --src hello2.c
	# The first compile makes the precompiled header in the background: a
	# warm run is one that finds the cache complete.
	t=$(now_ms)
	n=0
	until { ls /tmp/cache-$r/*/common.h.pch || ls /tmp/cache-$r/*/common.h.pch.failed; } >/dev/null 2>&1 &&
		! ls /tmp/cache-$r/*/common.h.pch.tmp-* >/dev/null 2>&1; do
		[ "$n" -lt 1200 ] || break
		sleep 0.1
		n=$((n + 1))
	done
	echo "BENCH-NOTE|round $r: the cache was complete $(($(now_ms) - t)) ms after the cold run ended: $(ls /tmp/cache-$r/*/ | tr '\n' ' ')"
	measure "ebpf-hello-warm-cache" "$r" env EBPF_HELLO_CACHE="/tmp/cache-$r" "$B/ebpf-hello" run hello2.py --src hello2.c
	r=$((r + 1))
done
echo "BENCH-NOTE|kernel $(uname -r), python3-bpfcc $(dpkg-query -W -f='${Version}' python3-bpfcc), $(clang --version | head -n 1), $(nproc) vCPUs, qemu TCG"
echo "BENCH-NOTE|ebpf-hello stderr (last run): $(clean "$(head -c 600 "$B/ebpf-hello-warm-cache-$ROUNDS.err")")"
echo "BENCH-NOTE|bcc stderr (last run): $(clean "$(head -c 600 "$B/bcc-$ROUNDS.err")")"
echo "BENCH-DONE"
sync
echo 1 >/proc/sys/kernel/sysrq
echo o >/proc/sysrq-trigger
sleep 10
