#!/usr/bin/env bash
# corpus.sh DIR: measure `ebpf-hello run` on a directory of upstream BPF
# programs (libbpf-bootstrap's examples/c, bcc's libbpf-tools and examples,
# ...), fetched by hand OUTSIDE this repository: it carries no third-party
# code. A measuring aid for developers (issue 20), not part of CI or make test.
#
# Every *.bpf.c (libbpf style) and every *.py that calls BPF( (BCC) under DIR
# is run as a learner would, from its own directory:
#     ebpf-hello run --duration $DURATION FILE   (outer: timeout -s INT $TIMEOUT)
# while a small trigger loop makes activity (opens, execs, forks, sleeps,
# signals, file writes, fsync and sync, setuid, /dev/urandom reads, a TCP
# connect to 127.0.0.1). Each run, with its trigger, holds flock $LOCK:
# other people run kernel tests on the same machine, and trace_pipe takes one
# reader at a time.
#
# Prints one tab-separated line per program:
#     FILE  EXIT  ATTACH  STDOUT-LINES  SHOWN  NOTES  FIRST-ERROR
# ATTACH: how the programs attached, from stderr's "attach:" lines (kind*count;
# "A>B" a fallback from A to B; "absent" a tracepoint skipped; "dropped" an
# optional program left out). SHOWN: events and trace lines run's own summary
# counted. NOTES: stderr notes (what run could not follow in a BCC script).
# FIRST-ERROR: the first error line on stderr (else the first warning, as
# "W: ..."), escaped and trimmed. Full stdout/stderr of each run are kept in
# $OUT (printed at the end on stderr).
#
# Environment: EBPF_HELLO (binary; default bin/ebpf-hello of this checkout),
# DURATION (4s), TIMEOUT (15), LOCK (/tmp/ebpf-hello-kernel.lock),
# OUT (a new directory under /tmp), ONLY (an extended regex: run only files
# whose path matches). Must run as root.
set -euo pipefail

usage() {
	echo "usage: $0 DIR" >&2
	exit 2
}
[[ $# -eq 1 && -d $1 ]] || usage

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${EBPF_HELLO:-$repo/bin/ebpf-hello}
duration=${DURATION:-4s}
limit=${TIMEOUT:-15}
lock=${LOCK:-/tmp/ebpf-hello-kernel.lock}
only=${ONLY:-}
out=${OUT:-$(mktemp -d /tmp/corpus.XXXXXX)}
mkdir -p "$out"
[[ -x $bin ]] || {
	echo "$0: $bin missing: make build" >&2
	exit 1
}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
dir=$(cd "$1" && pwd)

scratch=$(mktemp -d /tmp/corpus-trigger.XXXXXX)
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT

# tcp_once connects to 127.0.0.1 (a listener of its own when perl is there:
# connect, accept, a few bytes each way, close), else to a closed port.
tcp_once() {
	if command -v perl >/dev/null; then
		perl -MIO::Socket::INET -e '
			my $l = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0", ReuseAddr => 1) or exit 0;
			my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $l->sockport) or exit 0;
			my $a = $l->accept; print $c "ping\n"; my $x = <$a>; print $a "pong\n"; $x = <$c>;
			close $c; close $a; close $l;' 2>/dev/null || true
	else
		(exec 3<>/dev/tcp/127.0.0.1/1) 2>/dev/null || true
	fi
}

# trigger makes generic activity until killed.
trigger() {
	local i=0 f=$scratch/file
	while :; do
		i=$((i + 1))
		cat /etc/hostname /etc/passwd >/dev/null 2>&1 || true # opens and an exec
		cat "$scratch/missing" 2>/dev/null || true               # a failed open
		ls / >/dev/null                                          # an exec
		(: "$i") & wait $!                                       # a fork
		sh -c 'exit 0' || true                                   # fork and exec
		head -c 64 /dev/urandom >/dev/null                       # urandom reads
		echo "$i" >"$f"                                          # a write
		sync "$f" 2>/dev/null || true                            # fsync
		mv "$f" "$f.old" && rm -f "$f.old"                       # rename, unlink
		sleep 5 & kill -USR1 $! 2>/dev/null || true              # a signal
		sync                                                     # sync(2)
		perl -MPOSIX -e 'POSIX::setuid(65534)' 2>/dev/null || true # setuid(2)
		wait 2>/dev/null || true
		tcp_once
		sleep 0.2
	done
}

# attach_summary reads a run's stderr and says how its programs attached.
attach_summary() {
	awk '
	/^ebpf-hello: attach: / {
		line = $0; sub(/^ebpf-hello: attach: [^:]*: /, "", line)
		if (line ~ /does not exist here, skipped/) k = "absent"
		else if (line ~ /left out \(optional\)/) k = "dropped"
		else if (line ~ /unavailable \(/) {
			split(line, w, " "); to = "?"
			if (line ~ /runs as a tracepoint program/) to = "tracepoint"
			else if (match(line, /: using [a-z_]+/)) { to = substr(line, RSTART + 8, RLENGTH - 8) }
			k = w[1] ">" to
		} else { split(line, w, " "); k = w[1] }
		if (!(k in n)) order[++m] = k
		n[k]++
	}
	END {
		s = ""
		for (i = 1; i <= m; i++) s = s (s == "" ? "" : ",") order[i] (n[order[i]] > 1 ? "*" n[order[i]] : "")
		print (s == "" ? "-" : s)
	}' "$1"
}

# shown adds up the events and trace lines of run's own summary lines.
shown() {
	awk '
	/^ebpf-hello: trace_pipe: [0-9]+ lines printed/ { t += $3 }
	/^ebpf-hello: [^ ]+: [0-9]+ events/ { t += $3 }
	END { print t + 0 }' "$1"
}

# first_error is the first error line (else "W: " and the first warning),
# control characters escaped, trimmed to 240 characters.
first_error() {
	local line clang warn=
	line=$(grep -m1 -E 'error:|[Ee]rror |fatal' "$1" || true)
	if [[ -z $line ]]; then
		line=$(grep -m1 -E 'warning' "$1" || true)
		[[ -z $line ]] || warn="W: "
	fi
	line=${line#ebpf-hello: }
	if [[ $line == *"does not compile"* ]]; then # and clang's own first error
		clang=$(grep -v '^ebpf-hello: ' "$1" | grep -m1 -E ': (fatal )?error: ' || true)
		line="$line $clang"
	fi
	[[ -n $line ]] || line=-
	line=$warn$line
	printf '%s' "$line" | LC_ALL=C sed -e 's/\t/\\t/g' -e 's/[[:cntrl:]]/?/g' | cut -c1-240
}

# programs lists the files to run: libbpf-style C and BCC scripts.
programs() {
	find "$dir" -type f \( -name '*.bpf.c' -o -name '*.py' \) -print | LC_ALL=C sort |
		while IFS= read -r f; do
			[[ -z $only || $f =~ $only ]] || continue
			if [[ $f == *.py ]]; then
				grep -q 'BPF(' "$f" || continue
			fi
			printf '%s\n' "$f"
		done
}

printf 'FILE\tEXIT\tATTACH\tSTDOUT\tSHOWN\tNOTES\tFIRST-ERROR\n'
total=0
while IFS= read -r f; do
	rel=${f#"$dir"/}
	log=$out/${rel//\//__}
	rc=0
	exec 9>>"$lock"
	flock 9
	trigger 9>&- >/dev/null 2>&1 &
	tpid=$!
	(cd "$(dirname "$f")" && exec timeout -k 5 -s INT "$limit" \
		"$bin" run --duration "$duration" "$(basename "$f")") \
		</dev/null >"$log.out" 2>"$log.err" 9>&- || rc=$?
	kill "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	flock -u 9
	exec 9>&-
	lines=$(wc -l <"$log.out")
	notes=$(grep -c '^ebpf-hello: note:' "$log.err" || true)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$rc" "$(attach_summary "$log.err")" \
		"$lines" "$(shown "$log.err")" "$notes" "$(first_error "$log.err")"
	total=$((total + 1))
done < <(programs)
echo "$0: $total programs; logs in $out" >&2
