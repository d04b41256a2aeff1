#!/bin/sh
# The checks of `make vmtest`, run once per kernel.
#
# In a VM this is /init of a busybox initramfs (scripts/vmtest.sh builds it):
# it mounts what the tool needs, runs every check, prints one line per check
# on the serial console and powers the VM off. On the host it runs the same
# checks without touching mounts or power:
#
#   scripts/vm/init.sh --host BIN [PROGRAMS]
#                       (root; BIN: the ebpf-hello binary; PROGRAMS: the
#                       directory of programs compiled on the host, see below)
#
# The VM has no clang: `run` there loads objects that scripts/vmtest.sh
# compiled on the host with `run --emit-object` (CO-RE makes them portable)
# and the examples' Go programs it built statically, all under /programs.
#
# Each check prints exactly one line, parsed by scripts/vmtest.sh:
#
#   VMTEST|<uname -r>|<cmd>|<mode>|<buffer or ->|pass|<detail>
#   VMTEST|<uname -r>|<cmd>|<mode>|<buffer or ->|fail|<reason>
#   VMTEST|<uname -r>|<cmd>|<mode>|<buffer or ->|unsupported|<the tool's error line>
#
# and the run ends with "VMTEST-DONE|<uname -r>|<number of check lines>", so
# the harness can tell a finished run from a crash or lost console lines.
#
# POSIX sh: it runs under busybox ash in the VM and dash (or bash) on the host.
# No `set -e`: a failing check must not stop the others.
set -u

# How long one run of the tool may take. TCG is slow (a Go start-up plus
# libbpf parsing the kernel's BTF takes seconds), but a hang must not eat the
# whole VM budget.
TOOL_TIMEOUT=60
# The comm of the process whose opens `open` must report. busybox runs an
# applet named by argv[1] when argv[0] starts with "busybox", so a symlink
# with this name is a cat with a comm no other process has.
OPENER=busybox-ehcat
# How many times the opener opens the marker file.
OPENS=3
# The --duration of a run that --count ends as soon as its events are in:
# only when they go missing does it run this long, and it then reports how
# many it saw before timeout(1) (TOOL_TIMEOUT, start-up included) kills it.
# Generous: a busy machine may take seconds to run the opener.
EVENTS_WAIT=40

mode_host=0
if [ "${1:-}" = --host ]; then
	mode_host=1
	BIN=${2:?usage: init.sh --host BIN [PROGRAMS]}
	PROGRAMS=${3:-}
	BUSYBOX=$(command -v busybox) || {
		echo "vmtest: error: busybox not found (scripts/setup.sh vmtest installs busybox-static)" >&2
		exit 1
	}
	WORK=$(mktemp -d /tmp/ebpf-hello-vmtest.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	trap 'exit 130' INT TERM
else
	# PID 1 in the VM: the kernel gave us nothing but the initramfs.
	export PATH=/bin:/sbin:/usr/bin:/usr/sbin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	# As systemd does on every distribution: where the active LSMs are listed.
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
	mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
	mount -t tmpfs tmpfs /tmp
	# Console log level 4: only kernel errors reach the console from now on.
	# Warnings (such as the trace_printk banner) would land in the middle of
	# our result lines.
	# vmtest.verbose=1 on the kernel command line (VMTEST_VERBOSE=1) keeps
	# everything, e.g. the stack dumps of a soft lockup.
	grep -q 'vmtest.verbose=1' /proc/cmdline || echo 4 >/proc/sys/kernel/printk
	# The console node in the cpio may be missing (built without root).
	[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
	BIN=/bin/ebpf-hello
	PROGRAMS=/programs
	BUSYBOX=/bin/busybox
	WORK=/tmp/vmtest
	mkdir -p "$WORK"
fi

KERNEL=$(uname -r)
STATUS=$WORK/status # "cmd mode buffer result" of each check, for the auto expectations
NCHECKS=0
: >"$STATUS"
mkdir -p "$WORK/bin"
ln -s "$BUSYBOX" "$WORK/bin/$OPENER"

# report CMD MODE BUFFER RESULT DETAIL: print one check line ('|' and line
# breaks in DETAIL would break the format, so they are replaced).
report() {
	detail=$(printf '%s' "$5" | tr '|\n\r' '/  ')
	echo "VMTEST|$KERNEL|$1|$2|$3|$4|$detail"
	echo "$1 $2 $3 $4" >>"$STATUS"
	NCHECKS=$((NCHECKS + 1))
}

# tool_error FILE: the tool's own error line ("ebpf-hello: error: ..."), or
# the last line of FILE when there is none.
tool_error() {
	line=$(grep 'ebpf-hello: error:' "$1" | tail -n 1)
	[ -n "$line" ] || line=$(tail -n 1 "$1")
	printf '%s' "${line:-no error message}"
}

# unsupported MODE BUFFER LINE: true when LINE is one of the tool's documented
# "this kernel lacks the feature" errors for what was asked. Anything else,
# including these messages for a mode that was not asked for, is a failure.
unsupported() {
	case "$3" in
	*"needs kernel 5.8"*) [ "$2" = ring ] ;;
	*"kernel built without CONFIG_KPROBES"*) [ "$1" = kprobe ] ;;
	*"fentry needs kernel 5.5"*) [ "$1" = fentry ] ;;
	# fentry and BPF LSM programs both need trampolines, which some kernels refuse (EPERM here)
	*"kernel refused to load"*) [ "$1" = fentry ] || [ "$1" = lsm ] ;;
	*"BPF LSM programs need CONFIG_BPF_LSM=y and bpf in"*) [ "$1" = lsm ] ;;
	# fentry on arm64 before 6.4 (no ftrace direct calls): Debian 12's 6.1
	*"cannot attach fentry/fexit to kernel functions (ENOTSUPP)"*) [ "$1" = fentry ] || [ "$1" = lsm ] ;;
	*) false ;;
	esac
}

# failed_run CMD MODE BUFFER RC ERRFILE: report a run of the tool that did not succeed.
failed_run() {
	if [ "$4" -eq 124 ] || [ "$4" -eq 143 ]; then
		report "$1" "$2" "$3" fail "timed out after ${TOOL_TIMEOUT}s: $(tail -n 1 "$5")"
		return
	fi
	line=$(tool_error "$5")
	if unsupported "$2" "$3" "$line"; then
		report "$1" "$2" "$3" unsupported "$line"
	else
		report "$1" "$2" "$3" fail "exit $4: $line"
	fi
}

# expected_mode CMD MODE BUFFER: the mode the tool must end up using. For auto
# that is the first mode of its chain (kprobe, fentry, tracepoint) that passed
# when forced, so the same rule holds on every kernel.
expected_mode() {
	if [ "$2" != auto ]; then
		echo "$2"
		return
	fi
	for m in kprobe fentry tracepoint; do
		if grep -q "^$1 $m $3 pass\$" "$STATUS"; then
			echo "$m"
			return
		fi
	done
	echo "none (no mode passed when forced)"
}

# feed_opens: open a file over and over, so printk has something to print.
feed_opens() {
	: >"$WORK/feed"
	while :; do
		: <"$WORK/feed"
		sleep 0.2
	done
}

# clear_trace: in the VM, empty the trace buffer, so lines a previous printk
# run left unread cannot pass for this run's. Never on the host: the buffer is
# shared with everything else tracing there.
clear_trace() {
	[ "$mode_host" -eq 0 ] || return 0
	for dir in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [ -w "$dir/trace" ]; then
			: >"$dir/trace"
			return 0
		fi
	done
}

# check_printk MODE: three trace_pipe lines ending in "Hello, World!", and the
# attach mode announced on stderr is the expected one.
check_printk() {
	mode=$1 want=$(expected_mode printk "$1" -)
	out=$WORK/printk-$mode.out err=$WORK/printk-$mode.err
	clear_trace
	feed_opens &
	feeder=$!
	timeout "$TOOL_TIMEOUT" "$BIN" printk --attach "$mode" --count 3 --format raw >"$out" 2>"$err"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		failed_run printk "$mode" - "$rc" "$err"
		return
	fi
	using=$(grep -o 'attach: using .*' "$err" | head -n 1)
	using=${using#attach: }
	hello=$(grep -c 'Hello, World!$' "$out")
	lines=$(wc -l <"$out" | tr -d ' ')
	if [ "$hello" -ne 3 ]; then
		report printk "$mode" - fail "$hello of 3 lines end in 'Hello, World!' ($lines lines): $(head -n 1 "$out")"
	else
		case "$using" in
		"using $want"*) report printk "$mode" - pass "3/3 Hello lines, $using" ;;
		*) report printk "$mode" - fail "expected 'using $want', stderr says '${using:-nothing}'" ;;
		esac
	fi
}

# wait_ready PID ERRFILE: wait until `open` says it is tracing; false if it
# exited first or never got ready.
wait_ready() {
	n=0
	while [ "$n" -lt $((TOOL_TIMEOUT * 5)) ]; do
		grep -qx 'ebpf-hello: ready' "$2" && return 0 # the stable line (internal/ready)
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.2
		n=$((n + 1))
	done
	return 1
}

# json_field LINE NAME: the value of a number or string field of one JSON line.
json_field() {
	printf '%s\n' "$1" | sed -n 's/.*"'"$2"'": *"\{0,1\}\([^",}]*\).*/\1/p'
}

# check_open MODE BUFFER: a known process opens a marker file OPENS times; the
# tool (filtered to that comm) must report each open with the right pid, comm
# and attach mode.
check_open() {
	mode=$1 buffer=$2 want=$(expected_mode open "$1" "$2")
	out=$WORK/open-$mode-$buffer.out err=$WORK/open-$mode-$buffer.err
	marker=$WORK/marker-$mode-$buffer
	echo "$mode $buffer" >"$marker"
	# --count ends the run as soon as the opens are in; --duration bounds it
	# when events go missing.
	timeout "$TOOL_TIMEOUT" "$BIN" open --attach "$mode" --buffer "$buffer" --json \
		--comm "$OPENER" --count "$OPENS" --duration "${EVENTS_WAIT}s" >"$out" 2>"$err" &
	tool=$!
	if ! wait_ready "$tool" "$err"; then
		kill "$tool" 2>/dev/null
		wait "$tool"
		rc=$?
		[ "$rc" -ne 0 ] || rc=1
		failed_run open "$mode" "$buffer" "$rc" "$err"
		return
	fi
	# One process opens the marker OPENS times: cat MARKER MARKER ...
	set --
	while [ $# -lt "$OPENS" ]; do set -- "$@" "$marker"; done
	"$WORK/bin/$OPENER" cat "$@" >/dev/null &
	opener=$!
	wait "$opener"
	wait "$tool"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		failed_run open "$mode" "$buffer" "$rc" "$err"
		return
	fi
	seen=0
	problem=
	while IFS= read -r line; do
		case "$line" in *"\"file\":\"$marker\""*) ;; *) continue ;; esac
		seen=$((seen + 1))
		pid=$(json_field "$line" pid)
		comm=$(json_field "$line" comm)
		attach=$(json_field "$line" attach)
		errno=$(json_field "$line" err)
		if [ "$pid" != "$opener" ]; then
			problem="pid $pid, expected $opener"
		elif [ "$comm" != "$OPENER" ]; then
			problem="comm '$comm', expected '$OPENER'"
		elif [ "$attach" != "$want" ]; then
			problem="attach '$attach', expected '$want'"
		elif [ -n "$errno" ] && [ "$errno" != 0 ]; then
			problem="err $errno for an existing file"
		fi
	done <"$out"
	if [ -n "$problem" ]; then
		report open "$mode" "$buffer" fail "$problem: $(grep -F "$marker" "$out" | head -n 1)"
	elif [ "$seen" -ne "$OPENS" ]; then
		report open "$mode" "$buffer" fail "$seen of $OPENS opens of $marker seen ($(wc -l <"$out" | tr -d ' ') events; $(tail -n 1 "$err"))"
	else
		report open "$mode" "$buffer" pass "$seen/$OPENS opens by pid $opener comm $OPENER, attach $attach"
	fi
}

# check_open_failed MODE: the opener opens a missing file OPENS times; `open
# --failed` must report each, with errno 2 (ENOENT). Catches a return value
# read with the wrong width (do_sys_openat2 returns int from 6.16, long before).
check_open_failed() {
	mode=$1 buffer=perf
	out=$WORK/failed-$mode.out err=$WORK/failed-$mode.err
	missing=$WORK/missing-$mode
	timeout "$TOOL_TIMEOUT" "$BIN" open --attach "$mode" --failed --json \
		--comm "$OPENER" --count "$OPENS" --duration "${EVENTS_WAIT}s" >"$out" 2>"$err" &
	tool=$!
	if ! wait_ready "$tool" "$err"; then
		kill "$tool" 2>/dev/null
		wait "$tool"
		rc=$?
		[ "$rc" -ne 0 ] || rc=1
		failed_run open-failed "$mode" "$buffer" "$rc" "$err"
		return
	fi
	set --
	while [ $# -lt "$OPENS" ]; do set -- "$@" "$missing"; done
	"$WORK/bin/$OPENER" cat "$@" >/dev/null 2>&1
	wait "$tool"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		failed_run open-failed "$mode" "$buffer" "$rc" "$err"
		return
	fi
	seen=$(grep -F "\"file\":\"$missing\"" "$out" | grep -c '"err":2')
	if [ "$seen" -ne "$OPENS" ]; then
		report open-failed "$mode" "$buffer" fail "$seen of $OPENS failed opens of $missing seen with err 2 ($(tail -n 1 "$err"))"
	else
		report open-failed "$mode" "$buffer" pass "$seen/$OPENS failed opens, err 2"
	fi
}

# check_doctor: `doctor --json` (with its live self-test) must say the
# machine is ready and name the mode `open` used when left to choose.
check_doctor() {
	want=$(expected_mode open auto perf)
	out=$WORK/doctor.out err=$WORK/doctor.err
	feed_opens &
	feeder=$!
	timeout "$TOOL_TIMEOUT" "$BIN" doctor --json >"$out" 2>"$err"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	json=$(tr -d '\n' <"$out")
	ready=$(json_field "$json" ready)
	attach=$(json_field "$json" attach)
	if [ "$rc" -ne 0 ] || [ "$ready" != true ]; then
		failed=$(grep -B2 '"status": "fail"' "$out" | grep -o '"name": "[^"]*"' | tr '\n' ' ')
		report doctor auto - fail "exit $rc, ready '$ready'; failed checks: ${failed:-none}; $(tail -n 1 "$err")"
	elif [ "$attach" != "$want" ]; then
		report doctor auto - fail "doctor says open would use '$attach', open used '$want'"
	else
		report doctor auto - pass "ready, open would use $attach, self-test passed"
	fi
}

# --- exec checks (`ebpf-hello exec`), one block: a function and its calls below ---
# check_exec MODE: a process execs busybox under a name no other program has,
# with a marker argument; `exec --comm NAME` must report that exec with the
# pid the shell started, ret 0, the marker among its args, and the expected
# attach mode (exec has only the syscall tracepoints).
EXECER=busybox-ehexec
check_exec() {
	mode=$1 want=$(expected_mode exec "$1" -)
	out=$WORK/exec-$mode.out err=$WORK/exec-$mode.err
	marker=ehexec-marker-$mode
	[ -e "$WORK/bin/$EXECER" ] || ln -s "$BUSYBOX" "$WORK/bin/$EXECER"
	: >"$err" # wait_ready may look before the tool has opened it
	timeout "$TOOL_TIMEOUT" "$BIN" exec --attach "$mode" --json --comm "$EXECER" \
		--count 1 --duration "${EVENTS_WAIT}s" >"$out" 2>"$err" &
	tool=$!
	if ! wait_ready "$tool" "$err"; then
		kill "$tool" 2>/dev/null
		wait "$tool"
		rc=$?
		[ "$rc" -ne 0 ] || rc=1
		failed_run exec "$mode" - "$rc" "$err"
		return
	fi
	"$WORK/bin/$EXECER" true "$marker" &
	execd=$!
	wait "$execd"
	wait "$tool"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		failed_run exec "$mode" - "$rc" "$err"
		return
	fi
	line=$(grep -F "\"$marker\"" "$out" | head -n 1)
	pid=$(json_field "$line" pid)
	ret=$(json_field "$line" ret)
	attach=$(json_field "$line" attach)
	if [ -z "$line" ]; then
		report exec "$mode" - fail "no event with argument $marker ($(wc -l <"$out" | tr -d ' ') events; $(tail -n 1 "$err"))"
	elif [ "$pid" != "$execd" ] || [ "$ret" != 0 ] || [ "$attach" != "$want" ]; then
		report exec "$mode" - fail "pid $pid ret $ret attach $attach, expected pid $execd ret 0 attach $want: $line"
	else
		report exec "$mode" - pass "exec by pid $execd comm $EXECER, ret 0, args kept, attach $attach"
	fi
}
# --- end of exec checks ---

# --- run: programs compiled on the host (issues 11, 12, 13) ----------------
# Each check runs one object or example program from $PROGRAMS and says which
# way its kprobe (or fentry) attached. Where the forced `printk --attach
# kprobe` passed, a BCC kprobe must attach as a kprobe (not its tracepoint
# fallback); elsewhere the fallback is the expected way.

# kprobe_way: the way a kprobe with a tracepoint fallback must attach here.
kprobe_way() {
	if grep -q '^printk kprobe - pass$' "$STATUS"; then echo kprobe; else echo tracepoint; fi
}

# run_way ERRFILE PROGRAM: how PROGRAM's kprobe on do_sys_openat2 attached,
# from run's "attach:" line (or an example's "attached:" line).
run_way() {
	if grep -q "attach: $2: kprobe do_sys_openat2 unavailable" "$1" || grep -q '^no kprobe on do_sys_openat2 here' "$1"; then
		echo tracepoint
	elif grep -q "attach: $2: kprobe do_sys_openat2" "$1" || grep -q '^attached: kprobe on do_sys_openat2' "$1"; then
		echo kprobe
	else
		echo "none said"
	fi
}

# start_bg NAME READY CMD...: start CMD in the background (stdout, stderr in
# $WORK/NAME.out, .err) and wait until stderr has the line READY; false
# (with $tool set, exited or killed) if it never got there. CMD is bounded
# by its own duration flag, not by timeout(1): stop_bg signals CMD itself
# (GNU timeout passes a SIGINT on twice, which means "exit at once").
start_bg() {
	out=$WORK/$1.out err=$WORK/$1.err readyline=$2
	shift 2
	"$@" >"$out" 2>"$err" &
	tool=$!
	n=0
	while [ "$n" -lt $((TOOL_TIMEOUT * 5)) ]; do
		grep -q "$readyline" "$err" && return 0
		kill -0 "$tool" 2>/dev/null || return 1
		sleep 0.2
		n=$((n + 1))
	done
	return 1
}

# stop_bg: end the background tool as Ctrl-C does (it prints maps at
# exit); rc is its exit code.
stop_bg() {
	kill -INT "$tool" 2>/dev/null
	wait "$tool"
	rc=$?
}

# open_marker MARKER: the opener opens MARKER OPENS times; sets $opener to its pid.
# The tutorial's hello2.c reads NAME_MAX (255) bytes of the name with
# bpf_probe_read, which fails whole (an empty FILE) when they run past the
# end of the stack, where argv strings are, followed only by the
# environment: PID 1's is tiny. A real shell's is not; EHPAD stands in for it.
open_marker() {
	echo "$1" >"$1"
	set --
	while [ $# -lt "$OPENS" ]; do set -- "$@" "$marker"; done
	EHPAD=$(printf '%0512d' 0) "$WORK/bin/$OPENER" cat "$@" >/dev/null &
	opener=$!
	wait "$opener"
}

# wait_rows COUNT...: wait until the command COUNT... (marker_rows FILE,
# say) prints OPENS or more: the very rows the check counts next. Counting
# the lines that name the marker was not the same: the shell's own open of
# it (writing it) is one, and stopping at it plus two of the opener's lost
# the third, as an example drops at Ctrl-C what it has not printed yet.
# Ends early only when the tool is gone, else after TOOL_TIMEOUT.
wait_rows() {
	n=0
	while [ "$("$@")" -lt "$OPENS" ] && [ "$n" -lt $((TOOL_TIMEOUT * 5)) ]; do
		kill -0 "$tool" 2>/dev/null || return 0
		sleep 0.2
		n=$((n + 1))
	done
}

# wait_header FILE: wait until FILE, an example's stdout, has its TIME(s)
# header, while the tool runs (TOOL_TIMEOUT at most); false if it never
# came. The examples print "attached:" before they open their perf buffer,
# and the kernel drops the opens in between: on a busy machine all of the
# opener's were lost once.
wait_header() {
	n=0
	until grep -qs '^TIME(s) ' "$1"; do
		kill -0 "$tool" 2>/dev/null && [ "$n" -lt $((TOOL_TIMEOUT * 5)) ] || return 1
		sleep 0.2
		n=$((n + 1))
	done
}

# EXAMPLE_READY: an example's stderr line once it is tracing: "attached:
# kprobe on ...", or where there are no kprobes "no kprobe on ... here:
# attached to the tracepoints ... instead".
EXAMPLE_READY='^attached: \|^no kprobe on [^ ]* here: attached to '

# marker_rows FILE [COLUMN]: rows "TIME COMM PID FILE" (hello2.py's print,
# the examples' printf; FILE in COLUMN, default 4) of the opener's opens of $marker.
marker_rows() {
	awk -v c="$OPENER" -v p="$opener" -v f="$marker" -v k="${2:-4}" '$2 == c && $3 == p && $k == f' "$1" | grep -c .
}

# event_rows FILE: rows "PID COMM FILE" (the libbpf testdata's events) of
# the opener's opens of $marker.
event_rows() {
	awk -v c="$OPENER" -v p="$opener" -v f="$marker" '$1 == p && $2 == c && $3 == f' "$1" | grep -c .
}

# check_run_hello NAME OBJECT TEXT: a BCC hello.py compiled on the host:
# three trace_pipe lines ending in TEXT, by way of the kprobe.
check_run_hello() {
	name=$1 obj=$PROGRAMS/$2 text=$3 want=$(kprobe_way)
	out=$WORK/run-$2.out err=$WORK/run-$2.err
	clear_trace
	feed_opens &
	feeder=$!
	timeout "$TOOL_TIMEOUT" "$BIN" run "$obj" --count 3 >"$out" 2>"$err"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		failed_run run auto "$name" "$rc" "$err"
		return
	fi
	way=$(run_way "$err" hello_world)
	hello=$(grep -c -- "$text\$" "$out")
	if [ "$hello" -ne 3 ]; then
		report run auto "$name" fail "$hello of 3 lines end in '$text': $(head -n 1 "$out")"
	elif [ "$way" != "$want" ]; then
		report run auto "$name" fail "kprobe attached as '$way', expected $want: $(grep 'attach:' "$err" | head -n 1)"
	else
		report run auto "$name" pass "3/3 '$text' lines, attach $way"
	fi
}

# check_run_chain: kprobe_chain.bpf.o's plan is a script's if/elif/else
# on the kernel's functions: a kprobe no kernel has, then do_sys_openat2,
# then the open tracepoint, tried one after the other. Where kprobes work
# the second must attach (not the third, nor the second and third together).
check_run_chain() {
	want=$(kprobe_way)
	out=$WORK/run-chain.out err=$WORK/run-chain.err
	clear_trace
	feed_opens &
	feeder=$!
	timeout "$TOOL_TIMEOUT" "$BIN" run "$PROGRAMS/kprobe_chain.bpf.o" --count 3 >"$out" 2>"$err"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		failed_run run auto kprobe_chain.bpf.o "$rc" "$err"
		return
	fi
	if grep -q 'using tracepoint syscalls:sys_enter_openat' "$err"; then
		way=tracepoint
	elif grep -q 'using kprobe do_sys_openat2' "$err"; then
		way=kprobe
	else
		way="none said"
	fi
	lines=$(grep -c 'chain: open by [0-9]*$' "$out")
	if [ "$lines" -ne 3 ]; then
		report run auto kprobe_chain.bpf.o fail "$lines of 3 lines are 'chain: open by PID': $(head -n 1 "$out")"
	elif [ "$way" != "$want" ]; then
		report run auto kprobe_chain.bpf.o fail "attached as '$way', expected $want: $(grep 'attach:' "$err" | head -n 1)"
	else
		report run auto kprobe_chain.bpf.o pass "3/3 lines, attach $way"
	fi
}

# check_run_uprobe: perf_uprobe.bpf.o's uprobe on libc's strlen, an IFUNC,
# with a dynamically linked program (strlener) calling it: run must find
# the implementation the dynamic linker chose from that running process
# (the static binary cannot dlopen), and show the program's events.
check_run_uprobe() {
	out=$WORK/run-uprobe.out err=$WORK/run-uprobe.err
	if [ "$mode_host" -eq 0 ] && [ -d "$PROGRAMS/sysroot" ]; then
		cp -a "$PROGRAMS/sysroot/." /
	fi
	"$PROGRAMS/strlener" x >"$WORK/strlener.out" &
	strlener=$!
	# Its libc is relocated (the IFUNC's choice made) once it says ready.
	n=0
	while ! grep -q ready "$WORK/strlener.out" && [ "$n" -lt $((TOOL_TIMEOUT * 5)) ]; do
		sleep 0.2
		n=$((n + 1))
	done
	timeout "$TOOL_TIMEOUT" "$BIN" run "$PROGRAMS/perf_uprobe.bpf.o" --set targ_comm=strlener --count 3 >"$out" 2>"$err"
	rc=$?
	kill "$strlener" 2>/dev/null
	wait "$strlener" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		failed_run run uprobe perf_uprobe.bpf.o "$rc" "$err"
		return
	fi
	rows=$(grep -c "strlener" "$out")
	note=$(grep -o 'strlen is an IFUNC: probing its implementation [^,]*, as process [0-9]* resolved it' "$err" | head -n 1)
	if [ "$rows" -ne 3 ]; then
		report run uprobe perf_uprobe.bpf.o fail "$rows of 3 rows are strlener's: $(head -n 2 "$out" | tr '\n' '/')"
	elif [ -z "$note" ]; then
		report run uprobe perf_uprobe.bpf.o fail "the IFUNC was not resolved from a running process: $(grep 'attach:' "$err" | head -n 1)"
	else
		report run uprobe perf_uprobe.bpf.o pass "3/3 rows; $note"
	fi
}

# check_run_lsm: lsm_file_open.bpf.o's BPF LSM program on file_open shows
# cat's open of a marker (where the kernel's LSMs include bpf; else run must
# say in one line what the kernel lacks: an unsupported row).
check_run_lsm() {
	marker=$WORK/lsm-marker
	: >"$marker"
	if ! start_bg run-lsm 'ebpf-hello: ready' "$BIN" run "$PROGRAMS/lsm_file_open.bpf.o" --set targ_comm=cat --duration "${TOOL_TIMEOUT}s"; then
		stop_bg
		[ "$rc" -ne 0 ] || rc=1
		failed_run run lsm lsm_file_open.bpf.o "$rc" "$err"
		return
	fi
	n=0
	while ! grep -q lsm-marker "$out" && [ "$n" -lt $((TOOL_TIMEOUT * 2)) ]; do
		cat "$marker" >/dev/null
		sleep 0.5
		n=$((n + 1))
	done
	stop_bg
	if grep -q lsm-marker "$out"; then
		report run lsm lsm_file_open.bpf.o pass "$(grep -m1 lsm-marker "$out" | tr -s ' ')"
	else
		report run lsm lsm_file_open.bpf.o fail "attached, but no row for cat's open: $(tail -n 1 "$err")"
	fi
}

# check_run_missing_tracepoint: kvm_missing.bpf.o's program is on
# kvm:kvm_exit, whose category the kvm module provides (not loaded in the
# VM): `run --check` must fail naming the missing category, not blaming
# CONFIG_FTRACE_SYSCALLS; where the category exists it must run.
check_run_missing_tracepoint() {
	out=$WORK/run-kvm.out err=$WORK/run-kvm.err
	timeout "$TOOL_TIMEOUT" "$BIN" run "$PROGRAMS/kvm_missing.bpf.o" --check >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		report run auto kvm_missing.bpf.o pass "kvm's tracepoints exist here: it runs"
	elif grep -q 'CONFIG_FTRACE_SYSCALLS' "$out" "$err"; then
		report run auto kvm_missing.bpf.o fail "blames CONFIG_FTRACE_SYSCALLS: $(head -n 1 "$out")"
	elif grep -q 'no tracepoint category kvm' "$out" "$err"; then
		report run auto kvm_missing.bpf.o pass "says: no tracepoint category kvm"
	else
		report run auto kvm_missing.bpf.o fail "exit $rc: $(head -n 1 "$out") $(tail -n 1 "$err")"
	fi
}

# check_run_hello2 NAME OBJECT: hello2.py compiled on the host: its header
# and a TIME(s) COMM PID FILE row for each of the opener's opens.
check_run_hello2() {
	name=$1 want=$(kprobe_way)
	marker=$WORK/marker-run-$2
	if ! start_bg "run-$2" 'ebpf-hello: ready' "$BIN" run "$PROGRAMS/$2" --duration "${TOOL_TIMEOUT}s"; then
		stop_bg
		[ "$rc" -ne 0 ] || rc=1
		failed_run run auto "$name" "$rc" "$err"
		return
	fi
	open_marker "$marker"
	wait_rows marker_rows "$out"
	stop_bg
	way=$(run_way "$err" hello_world)
	rows=$(marker_rows "$out")
	if [ "$rc" -ne 0 ]; then
		failed_run run auto "$name" "$rc" "$err"
	elif ! grep -q '^TIME(s)  *COMM  *PID  *FILE' "$out"; then
		report run auto "$name" fail "no TIME(s) COMM PID FILE header: $(head -n 1 "$out")"
	elif [ "$rows" -ne "$OPENS" ]; then
		report run auto "$name" fail "$rows of $OPENS rows for pid $opener opening $marker ($(grep -c . "$out") lines, e.g. '$(grep -F "$OPENER" "$out" | head -n 1)'; $(tail -n 1 "$err"))"
	elif [ "$way" != "$want" ]; then
		report run auto "$name" fail "kprobe attached as '$way', expected $want: $(grep 'attach:' "$err" | head -n 1)"
	else
		report run auto "$name" pass "$rows/$OPENS rows for pid $opener, attach $way"
	fi
}

# check_run_libbpf MODE OBJECT: a libbpf-style program with a MODE
# (kprobe or fentry) program sending events and a return program
# (kretprobe, fexit) filling a map: a row per open and the map at exit,
# each program attached by its own SEC().
check_run_libbpf() {
	mode=$1 name=$2
	case "$mode" in
	kprobe) first="run_kprobe_open: kprobe" second="run_kretprobe_open: kretprobe" ;;
	fentry) first="run_fentry_open: fentry" second="run_fexit_open: fexit" ;;
	esac
	marker=$WORK/marker-run-$name
	if ! start_bg "run-$name" 'ebpf-hello: ready' "$BIN" run "$PROGRAMS/$name" --set "targ_comm=$OPENER" --duration "${TOOL_TIMEOUT}s"; then
		stop_bg
		[ "$rc" -ne 0 ] || rc=1
		failed_run run "$mode" "$name" "$rc" "$err"
		return
	fi
	open_marker "$marker" # the return probes ran before each open returned: the map is filled
	wait_rows event_rows "$out"
	stop_bg
	rows=$(event_rows "$out")
	case "$mode" in
	kprobe) # opens: pid -> successful opens
		counted=$(awk -v p="$opener" '$1 == p && NF == 2 {print $2}' "$out" | head -n 1) ;;
	fentry) # fd_hist: "lo -> hi : count |***|"
		counted=$(awk '$2 == "->" && $4 == ":" {n += $5} END {print n + 0}' "$out") ;;
	esac
	if [ "$rc" -ne 0 ]; then
		failed_run run "$mode" "$name" "$rc" "$err"
	elif ! grep -q "attach: $first do_sys_openat2" "$err" || ! grep -q "attach: $second do_sys_openat2" "$err"; then
		report run "$mode" "$name" fail "not attached as ${first#*: } and ${second#*: }: $(grep 'attach:' "$err" | tr '\n' ' ')"
	elif [ "$rows" -ne "$OPENS" ]; then
		report run "$mode" "$name" fail "$rows of $OPENS event rows for pid $opener opening $marker ($(tail -n 1 "$err"))"
	elif [ "${counted:-0}" -lt "$OPENS" ]; then
		report run "$mode" "$name" fail "the ${second#*: } map counts ${counted:-nothing} opens for pid $opener, want $OPENS or more"
	else
		report run "$mode" "$name" pass "$rows/$OPENS events (${first#*: }), map counts $counted (${second#*: })"
	fi
}

# check_example_hello NAME TEXT: examples/01-hello-printk (or the workshop's
# solution 1), built statically on the host: three lines ending in TEXT by
# way of its kprobe branch.
check_example_hello() {
	name=$1 text=$2 want=$(kprobe_way)
	out=$WORK/ex-$name.out err=$WORK/ex-$name.err
	clear_trace
	feed_opens &
	feeder=$!
	timeout "$TOOL_TIMEOUT" "$PROGRAMS/$name/$name" -count 3 >"$out" 2>"$err"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	way=$(run_way "$err" -)
	hello=$(grep -c -- "$text\$" "$out")
	if [ "$rc" -ne 0 ]; then
		report example auto "$name" fail "exit $rc: $(tail -n 1 "$err")"
	elif [ "$hello" -ne 3 ]; then
		report example auto "$name" fail "$hello of 3 lines end in '$text': $(head -n 1 "$out")"
	elif [ "$way" != "$want" ]; then
		report example auto "$name" fail "attached as '$way', expected $want: $(head -n 1 "$err")"
	else
		report example auto "$name" pass "3/3 Hello lines, attach $way"
	fi
}

# check_example_rows NAME [COLUMN]: examples/02-trace-open, 03-ring-buffer
# or a workshop solution printing them: a TIME(s) COMM PID ... FILE row for
# each of the opener's opens (FILE in COLUMN, default 4).
check_example_rows() {
	name=$1 column=${2:-4} want=$(kprobe_way)
	marker=$WORK/marker-ex-$name
	if ! start_bg "ex-$name" "$EXAMPLE_READY" "$PROGRAMS/$name/$name" -duration "${TOOL_TIMEOUT}s"; then
		stop_bg
		report example auto "$name" fail "exit $rc before attaching: $(tail -n 1 "$err")"
		return
	fi
	if ! wait_header "$out"; then
		stop_bg
		report example auto "$name" fail "exit $rc, no TIME(s) header: $(tail -n 1 "$err")"
		return
	fi
	open_marker "$marker"
	wait_rows marker_rows "$out" "$column"
	stop_bg
	way=$(run_way "$err" -)
	rows=$(marker_rows "$out" "$column")
	if [ "$rc" -ne 0 ]; then
		report example auto "$name" fail "exit $rc: $(tail -n 1 "$err")"
	elif [ "$rows" -ne "$OPENS" ]; then
		report example auto "$name" fail "$rows of $OPENS rows for pid $opener opening $marker ($(grep -c . "$out") lines; $(tail -n 1 "$err"))"
	elif [ "$way" != "$want" ]; then
		report example auto "$name" fail "attached as '$way', expected $want: $(head -n 1 "$err")"
	else
		report example auto "$name" pass "$rows/$OPENS rows for pid $opener, attach $way"
	fi
}

# check_example_count NAME: the workshop's solution 5 counts opens per
# process in a map and prints PID COMM OPENS at Ctrl-C: the opener's row
# (-top: every process, busy machines have many that open more).
check_example_count() {
	name=$1 want=$(kprobe_way)
	marker=$WORK/marker-ex-$name
	if ! start_bg "ex-$name" "$EXAMPLE_READY" "$PROGRAMS/$name/$name" -duration "${TOOL_TIMEOUT}s" -top 100000; then
		stop_bg
		report example auto "$name" fail "exit $rc before attaching: $(tail -n 1 "$err")"
		return
	fi
	open_marker "$marker"
	stop_bg
	way=$(run_way "$err" -)
	counted=$(awk -v c="$OPENER" -v p="$opener" '$1 == p && $2 == c {print $3}' "$out" | head -n 1)
	if [ "$rc" -ne 0 ]; then
		report example auto "$name" fail "exit $rc: $(tail -n 1 "$err")"
	elif [ "${counted:-0}" -lt "$OPENS" ]; then
		report example auto "$name" fail "pid $opener counted ${counted:-nowhere}, want $OPENS or more: $(head -n 3 "$out" | tr '\n' '/')"
	elif [ "$way" != "$want" ]; then
		report example auto "$name" fail "attached as '$way', expected $want: $(head -n 1 "$err")"
	else
		report example auto "$name" pass "pid $opener: $counted opens, attach $way"
	fi
}

# check_programs: every run/example check whose program was built.
check_programs() {
	if [ -z "$PROGRAMS" ] || [ ! -d "$PROGRAMS" ]; then
		report run - - fail "no programs compiled on the host (scripts/vmtest.sh builds them into $PROGRAMS)"
		return
	fi
	check_run_hello hello.py hello.py.bpf.o 'Hello, World!'
	check_run_hello2 hello2.py hello2.py.bpf.o
	check_run_hello c-only/1-message c-only-1-message.bpf.o 'Hello, eBPF workshop!'
	check_run_libbpf kprobe kprobe_ring.bpf.o
	check_run_libbpf fentry fentry_perf.bpf.o
	check_run_chain
	check_run_uprobe
	check_run_missing_tracepoint
	check_run_lsm
	check_example_hello hello-printk 'Hello, World!'
	check_example_rows trace-open
	check_example_rows ring-buffer
	check_example_hello message 'Hello, eBPF workshop!'
	check_example_rows pid-filter
	check_example_rows uid 5
	check_example_rows ring-drops
	check_example_count count-opens
}
# --- end of run ---------------------------------------------------------------

# --- corpus (VMTEST_CORPUS=DIR, a developer's measurement, not CI) ----------
# check_corpus: run every object $PROGRAMS/corpus holds (upstream programs
# scripts/vmtest.sh compiled on the host, FILE.bpf.o, or FILE.failed with
# the compile's error) for a few seconds while a busybox loop makes
# activity, as scripts/corpus.sh does on the host: one line each.
check_corpus() {
	for f in "$PROGRAMS"/corpus/*; do
		name=$(basename "$f")
		case "$name" in
		*.failed)
			report corpus "${name%.failed}" - fail "compile: $(head -n 1 "$f")"
			continue
			;;
		esac
		name=${name%.bpf.o}
		( # the activity: opens, execs, forks, writes, fsync, sleeps
			i=0
			while [ "$i" -lt 200 ]; do
				cat /proc/version >/dev/null
				ls / >/dev/null
				echo "$i" >"$WORK/corpus-file"
				sync
				rm -f "$WORK/corpus-file"
				/bin/true
				sleep 0.05
				i=$((i + 1))
			done
		) &
		trigger=$!
		timeout "$TOOL_TIMEOUT" "$BIN" run --duration 4s "$f" >"$WORK/corpus.out" 2>"$WORK/corpus.err"
		rc=$?
		kill "$trigger" 2>/dev/null
		wait "$trigger" 2>/dev/null
		lines=$(grep -c . "$WORK/corpus.out")
		attach=$(sed -n 's/^ebpf-hello: attach: [^:]*: \([a-z_]*\).*/\1/p' "$WORK/corpus.err" | sort | uniq -c | awk '{printf "%s%s*%s", (NR > 1 ? "," : ""), $2, $1}')
		line=$(tool_error "$WORK/corpus.err")
		if [ "$rc" -eq 0 ]; then
			report corpus "$name" - pass "attach ${attach:-none}: $lines lines"
		elif case "$line" in *"without CONFIG_KPROBES"* | *"kernel refused to load"* | *"unavailable"* | *"does not exist on this kernel"* | *"names no binary"* | *"names no USDT probe"* | *"--iface NAME"* | *"needs kernel"*) true ;; *) false ;; esac then
			report corpus "$name" - unsupported "$line"
		else
			report corpus "$name" - fail "exit $rc: $line"
		fi
	done
}

echo "VMTEST-BEGIN|$KERNEL"
if [ -n "$PROGRAMS" ] && [ -d "$PROGRAMS/corpus" ]; then
	check_corpus
	echo "VMTEST-DONE|$KERNEL|$NCHECKS"
	[ "$mode_host" -eq 1 ] || { sync; poweroff -f; }
	exit 0
fi
for mode in kprobe fentry tracepoint auto; do
	check_printk "$mode"
done
for mode in kprobe fentry tracepoint; do
	for buffer in perf ring; do
		check_open "$mode" "$buffer"
	done
done
# auto only chooses the mode: the forced runs above covered both buffers.
check_open auto perf
for mode in kprobe fentry tracepoint; do
	check_open_failed "$mode"
done
for mode in tracepoint auto; do
	check_exec "$mode"
done
check_doctor
check_programs
echo "VMTEST-DONE|$KERNEL|$NCHECKS"

if [ "$mode_host" -eq 0 ]; then
	sync
	poweroff -f
fi
