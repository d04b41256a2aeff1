package main

// run and what it does not trust: text an object carries (its plan
// section, its SEC() names) is escaped like event fields, a plan cannot
// make run print maps in a busy loop, events that do not fit their struct
// are said to, and a program's events and maps still show while another
// process holds trace_pipe.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

const trustHead = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n"

// writeProgram writes a program's C into a fresh directory.
func writeProgram(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawControl returns the first control character in s that a terminal
// would act on (C0 but newline, DEL, C1, or a byte that is not UTF-8), or "".
func rawControl(s string) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Sprintf("byte %#x at %d", s[i], i)
		case (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return fmt.Sprintf("%U at %d", r, i)
		}
	}
	return ""
}

// forged returns the first line of s that a hostile object made look like
// one of run's own, or "".
func forged(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "ebpf-hello: error: forged") {
			return line
		}
	}
	return ""
}

// matches is a line filter for collect.
func matches(pattern string) func(string) bool { return regexp.MustCompile(pattern).MatchString }

// cString quotes s for C, every byte outside printable ASCII as octal.
func cString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteString(`\` + string(c))
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

const trustProgram = trustHead + `
const volatile __u32 targ_pid = 0;

struct trust_event {
	__u32 pid;
	__u32 n;
};
const struct trust_event *unused_events __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int run_trust_openat(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *c;
	struct trust_event *e;

	if (pid != targ_pid)
		return 0;
	c = bpf_map_lookup_elem(&counts, &pid);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->n = 7;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
`

// TestRunEscapesTheObjectsPlan: an object compiled elsewhere (run
// --emit-object) carries a plan whose notes, header, print formats and
// column titles hold terminal controls and newlines followed by what looks
// like run's own error line. Everything reaches the terminal escaped.
func TestRunEscapesTheObjectsPlan(t *testing.T) {
	needRun(t)
	before := ourPrograms(t)
	plan := runplan.Plan{
		Notes:  []string{"note\x1b]0;pwned\x07\nebpf-hello: error: forged note"},
		Header: []string{"HEAD\x1b[2J\x1b]0;title\x07 COLS"},
		Outputs: []runplan.Output{
			{Kind: runplan.Events, Map: "events", Print: &runplan.Print{
				Format: "\x1b]0;row\x07pid=%d n=%d%s\u009b",
				Args:   []runplan.PrintArg{{Field: "pid"}, {Field: "n"}, {Text: "\x1b[31m"}},
			}},
			{Kind: runplan.Items, Map: "counts", Print: &runplan.Print{
				Format: "%d\x1b[5m %d",
				Args:   []runplan.PrintArg{{Field: "key"}, {Field: "value"}},
				Head:   []string{"ITEMS\x1b[2J"},
			}},
		},
	}
	src := writeProgram(t, "trust.bpf.c", trustProgram+plan.SourceLine())
	obj := filepath.Join(t.TempDir(), "trust.bpf.o")
	if r := runCommand(t, binary(t), "run", "--emit-object", obj, src); r.code != 0 {
		t.Fatalf("--emit-object: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	o := startOpener(t, 3)
	tr := startTracer(t, "running", "run", obj, "--set", "targ_pid="+strconv.Itoa(o.pid))
	o.run(t)
	row := fmt.Sprintf(`\x1b]0;row\x07pid=%d n=7\x1b[31m\xc2\x9b`, o.pid)
	var lines []string // every line, the rows counted
	rows := tr.collect(t, 3, testenv.Patience, func(l string) bool { lines = append(lines, l); return l == row })
	code, stderr := tr.stop(t)
	lines = append(lines, tr.collect(t, 100, testenv.Patience, func(string) bool { return true })...)
	stdout := strings.Join(lines, "\n")
	if code != 0 || len(rows) != 3 {
		t.Fatalf("exit %d, %d rows %q (want 3); stdout:\n%s\nstderr:\n%s", code, len(rows), row, stdout, stderr)
	}
	for _, want := range []string{`HEAD\x1b[2J\x1b]0;title\x07 COLS`, `ITEMS\x1b[2J`, fmt.Sprintf(`%d\x1b[5m 3`, o.pid)} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, `ebpf-hello: note: note\x1b]0;pwned\x07\nebpf-hello: error: forged note`) {
		t.Errorf("stderr does not show the note escaped on one line:\n%s", stderr)
	}
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if c := rawControl(text); c != "" {
			t.Errorf("%s holds a raw control character (%s): %q", name, c, text)
		}
		if l := forged(text); l != "" {
			t.Errorf("%s holds a forged line %q", name, l)
		}
	}
	assertNothingLeft(t, before)
}

// TestRunEscapesHostileAttachTargets: a uprobe whose binary's name holds
// terminal controls and a newline followed by what looks like run's error
// line: the attach report (it attaches) and the error (its binary is
// missing) say it escaped, each on one line; so does a hostile file name.
func TestRunEscapesHostileAttachTargets(t *testing.T) {
	needRun(t)
	testenv.RequireRoot(t)
	dir := t.TempDir()
	hostile := "l\x1b]0;title\x07\nebpf-hello: error: forged"
	escaped := `l\x1b]0;title\x07\nebpf-hello: error: forged`
	// bin/ebpf-hello is an ELF with a symbol table: a uprobe target.
	if err := os.Symlink(binary(t), filepath.Join(dir, hostile)); err != nil {
		t.Fatal(err)
	}
	program := func(binary string) string {
		return trustHead + "SEC(" + cString("uprobe/"+filepath.Join(dir, binary)+":main.main") + ")\nint run_trust_uprobe(void *ctx) { return 0; }\n"
	}
	// clang 19 and later refuse escape sequences in a section name (an
	// "unevaluated string literal"): no such SEC() can be written there.
	probe := writeProgram(t, "probe.bpf.c", program(hostile))
	if r := runCommand(t, binary(t), "run", probe, "--emit-object", filepath.Join(t.TempDir(), "probe.o")); strings.Contains(r.stderr, "invalid escape sequence") {
		t.Skip("this clang refuses escapes in section names: a hostile SEC() cannot be compiled here (tested with clang 14)")
	}

	t.Run("attached", func(t *testing.T) {
		before := ourPrograms(t)
		name := "t\x1b]0;x\x07\nebpf-hello: error: forged.bpf.c"
		src := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(src, []byte(program(hostile)), 0o644); err != nil {
			t.Fatal(err)
		}
		tr := startTracer(t, "running", "run", src)
		code, stderr := tr.stop(t)
		if code != 0 || !strings.Contains(stderr, "attach: run_trust_uprobe: uprobe "+filepath.Join(dir, escaped)+":main.main") {
			t.Errorf("exit %d; stderr does not report the uprobe escaped:\n%s", code, stderr)
		}
		if !strings.Contains(stderr, `running t\x1b]0;x\x07\nebpf-hello: error: forged.bpf.c;`) {
			t.Errorf("stderr does not name the file escaped:\n%s", stderr)
		}
		if c := rawControl(stderr); c != "" {
			t.Errorf("stderr holds a raw control character (%s): %q", c, stderr)
		}
		if l := forged(stderr); l != "" {
			t.Errorf("stderr holds a forged line %q", l)
		}
		assertNothingLeft(t, before)
	})

	t.Run("missing", func(t *testing.T) {
		r := runCommand(t, binary(t), "run", writeProgram(t, "missing.bpf.c", program("missing"+hostile)))
		if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "missing"+escaped) {
			t.Errorf("exit %d; want exit 1 and one line naming %q escaped; stderr:\n%s", r.code, "missing"+hostile, r.stderr)
		}
		if c := rawControl(r.stderr); c != "" {
			t.Errorf("stderr holds a raw control character (%s): %q", c, r.stderr)
		}
		if l := forged(r.stderr); l != "" {
			t.Errorf("stderr holds a forged line %q", l)
		}
	})
}

// countsProgram counts every syscall in a hash map, so that every print
// of the maps has a row.
const countsProgram = trustHead + `
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int run_trust_calls(void *ctx)
{
	__u32 key = 0;
	__u64 one = 1, *c = bpf_map_lookup_elem(&calls, &key);

	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&calls, &key, &one, BPF_NOEXIST);
	return 0;
}
`

// TestRunPlanIntervalHasAFloor: a plan asking for maps every nanosecond
// gets them at most every 100ms, with one line saying so.
func TestRunPlanIntervalHasAFloor(t *testing.T) {
	needRun(t)
	before := ourPrograms(t)
	src := writeProgram(t, "floor.bpf.c", countsProgram+runplan.Plan{Interval: 1}.SourceLine())
	start := time.Now()
	tr := startTracer(t, "running", "run", src)
	prints := tr.collect(t, 3, testenv.Patience, func(l string) bool { return l == "calls:" })
	code, stderr := tr.stop(t)
	elapsed := time.Since(start)
	prints = append(prints, tr.collect(t, 1<<30, testenv.Patience, func(l string) bool { return l == "calls:" })...)
	if code != 0 || len(prints) < 3 {
		t.Fatalf("exit %d, %d prints of the map; stderr:\n%s", code, len(prints), stderr)
	}
	if most := int(elapsed/(100*time.Millisecond)) + 1; len(prints) > most {
		t.Errorf("%d prints of the map in %v: more than one every 100ms (%d)", len(prints), elapsed, most)
	}
	var said []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "interval") {
			said = append(said, l)
		}
	}
	if len(said) != 1 || !strings.Contains(said[0], "1ns") || !strings.Contains(said[0], "100ms") {
		t.Errorf("want one line saying the interval 1ns was raised to 100ms, got %q; stderr:\n%s", said, stderr)
	}
	assertNothingLeft(t, before)
}

// sizesProgram sends a 24-byte event; run is told other structs.
const sizesProgram = trustHead + `
const volatile __u32 targ_pid = 0;

struct sent_event { __u64 ts; __u32 pid; __u32 n; __u64 more; };
struct small_event { __u64 ts; __u32 pid; };
struct huge_event { __u64 ts; __u32 pid; __u32 n; __u64 more; __u64 beyond; };
const struct sent_event *unused_sent __attribute__((unused));
const struct small_event *unused_small __attribute__((unused));
const struct huge_event *unused_huge __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int run_sizes_openat(void *ctx)
{
	struct sent_event e = {};

	if (bpf_get_current_pid_tgid() >> 32 != targ_pid)
		return 0;
	e.ts = bpf_ktime_get_ns();
	e.pid = targ_pid;
	e.n = 7;
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}
`

// TestRunEventTypeThatDoesNotFit: --event-type names a struct smaller than
// the events (each row shows only its start) or larger (no row can be
// decoded): one warning when it first happens, the count at exit.
func TestRunEventTypeThatDoesNotFit(t *testing.T) {
	needRun(t)
	src := writeProgram(t, "sizes.bpf.c", sizesProgram)
	for _, c := range []struct {
		typ, warn, exit string
		rows            int
	}{
		{"small_event", "an event of 24 bytes is longer than struct small_event (16 bytes)", "3 events, 0 lost; 3 were longer than struct small_event (16 bytes)", 3},
		{"huge_event", "an event of 24 bytes is shorter than struct huge_event (32 bytes)", "0 events, 0 lost; 3 shorter than struct huge_event (32 bytes) were not shown", 0},
	} {
		t.Run(c.typ, func(t *testing.T) {
			o := startOpener(t, 3)
			tr := startTracer(t, "running", "run", src, "--set", "targ_pid="+strconv.Itoa(o.pid), "--event-type", c.typ)
			o.run(t)
			rows := tr.collect(t, c.rows, testenv.Patience, func(l string) bool { return strings.Contains(l, strconv.Itoa(o.pid)) })
			if err := tr.WaitFor(func(s string) bool { return strings.Contains(s, c.warn) }, testenv.Patience); err != nil {
				t.Fatalf("%v waiting for the warning %q; stderr:\n%s", err, c.warn, tr.Stderr())
			}
			// Every event was read (the warning came with the first; the
			// program ran within the opens): stop, and see them counted.
			code, stderr := tr.stop(t)
			if code != 0 || len(rows) != c.rows {
				t.Fatalf("exit %d, rows %q; stderr:\n%s", code, rows, stderr)
			}
			if n := strings.Count(stderr, c.warn); n != 1 {
				t.Errorf("the warning %q is said %d times, want once:\n%s", c.warn, n, stderr)
			}
			if !strings.Contains(stderr, "events: "+c.exit) {
				t.Errorf("stderr lacks %q:\n%s", "events: "+c.exit, stderr)
			}
		})
	}
}

// fitsProgram sends events that do not match their struct's size for
// good reasons: perf's padding to 8 bytes, a flexible array member, a used
// prefix of a buffer.
const fitsProgram = trustHead + `
const volatile __u32 targ_pid = 0;

struct padded_event { __u64 ts; __u32 pid; };            /* 16 bytes; perf makes 20 */
struct flex_event { __u32 pid; __u32 len; char tail[]; }; /* 8 bytes and the tail */
struct prefix_event { __u32 pid; char name[64]; };        /* a prefix: the name's used part */
const struct padded_event *unused_padded __attribute__((unused));
const struct flex_event *unused_flex __attribute__((unused));
const struct prefix_event *unused_prefix __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} padded SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} flex SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} prefix SEC(".maps");

struct flex_sample { __u32 pid; __u32 len; char tail[5]; };

SEC("tracepoint/syscalls/sys_enter_openat")
int run_fits_openat(void *ctx)
{
	struct padded_event p = {};
	struct flex_sample f = { .len = 5, .tail = "abcd" };
	struct prefix_event e = { .name = "abc" };
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (pid != targ_pid)
		return 0;
	p.ts = bpf_ktime_get_ns();
	p.pid = pid;
	bpf_perf_event_output(ctx, &padded, BPF_F_CURRENT_CPU, &p, sizeof(p));
	f.pid = pid;
	bpf_ringbuf_output(&flex, &f, 13, 0);
	e.pid = pid;
	bpf_ringbuf_output(&prefix, &e, 8, 0);
	return 0;
}
`

// TestRunEventsOfOtherSizesThatFit: events longer than their struct by
// perf's padding or a flexible array member, or a used prefix of it, are
// shown without a warning.
func TestRunEventsOfOtherSizesThatFit(t *testing.T) {
	needRun(t)
	src := writeProgram(t, "fits.bpf.c", fitsProgram)
	o := startOpener(t, 2)
	tr := startTracer(t, "running", "run", src, "--set", "targ_pid="+strconv.Itoa(o.pid), "--json")
	o.run(t)
	pid := fmt.Sprintf(`"pid":%d`, o.pid)
	seen := map[string]int{}
	tr.collect(t, 6, testenv.Patience, func(l string) bool {
		switch {
		case !strings.Contains(l, pid):
			return false
		case strings.Contains(l, `"ts"`):
			seen["padded"]++
		case strings.Contains(l, `"len":5`):
			seen["flex"]++
		case strings.Contains(l, `"name":"abc"`):
			seen["prefix"]++
		default:
			return false
		}
		return true
	})
	code, stderr := tr.stop(t)
	if code != 0 || seen["padded"] != 2 || seen["flex"] != 2 || seen["prefix"] != 2 {
		t.Fatalf("exit %d, rows per buffer %v (want 2 each); stderr:\n%s", code, seen, stderr)
	}
	if strings.Contains(stderr, "warning") || strings.Contains(stderr, "longer") || strings.Contains(stderr, "shorter") {
		t.Errorf("events that fit were warned about:\n%s", stderr)
	}
	for _, m := range []string{"padded", "flex", "prefix"} {
		if !strings.Contains(stderr, m+": 2 events, 0 lost\n") && !strings.Contains(stderr, m+": 2 events, 0 lost ") {
			t.Errorf("stderr does not count 2 events of %s:\n%s", m, stderr)
		}
	}
}

const printkProgram = trustHead + `
const volatile __u32 targ_pid = 0;

struct busy_event { __u32 pid; __u32 n; };
const struct busy_event *unused_events __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} opens SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int run_busy_openat(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *c;
	struct busy_event e = { .pid = pid, .n = 7 };

	if (pid != targ_pid)
		return 0;
	bpf_printk("busy: open by %d", pid);
	c = bpf_map_lookup_elem(&opens, &pid);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&opens, &pid, &one, BPF_NOEXIST);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}
`

// TestRunWhileTracePipeIsHeld: another process reads trace_pipe (here the
// test itself): a program that prints with bpf_printk still runs, its
// events and maps are shown, and one line says its printk lines cannot be
// and who holds trace_pipe.
func TestRunWhileTracePipeIsHeld(t *testing.T) {
	needRun(t)
	testenv.RequireRoot(t)
	root, err := tracefs.Ensure(func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(filepath.Join(root, "trace_pipe"), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("hold trace_pipe: %v", err)
	}
	defer unix.Close(fd)

	before := ourPrograms(t)
	src := writeProgram(t, "busy.bpf.c", printkProgram)
	o := startOpener(t, 3)
	tr := startTracer(t, "running", "run", src, "--set", "targ_pid="+strconv.Itoa(o.pid))
	o.run(t)
	row := matches(fmt.Sprintf(`^%d\s+7$`, o.pid))
	rows := tr.collect(t, 3, testenv.Patience, row)
	code, stderr := tr.stop(t)
	out := strings.Join(tr.collect(t, 100, testenv.Patience, func(string) bool { return true }), "\n")
	if code != 0 || len(rows) != 3 {
		t.Fatalf("exit %d, %d event rows (want 3); stderr:\n%s", code, len(rows), stderr)
	}
	if !matches(fmt.Sprintf(`(?m)^\s*%d\s+3\s*$`, o.pid))(out) {
		t.Errorf("the map's row (pid %d, 3 opens) is not in stdout:\n%s", o.pid, out)
	}
	var said []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "trace_pipe") {
			said = append(said, l)
		}
	}
	holder := fmt.Sprintf("pid %d (", os.Getpid())
	if len(said) != 1 || !strings.Contains(said[0], holder) || !strings.Contains(said[0], "bpf_printk") {
		t.Errorf("want one line on stderr saying bpf_printk lines cannot be shown and naming %q, got %q; stderr:\n%s", holder, said, stderr)
	}
	assertNothingLeft(t, before)
}
