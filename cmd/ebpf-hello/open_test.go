package main

import (
	"encoding/json"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// openRecord is one --json line.
type openRecord struct {
	TimeS  float64 `json:"time_s"`
	TsNs   uint64  `json:"ts_ns"`
	PID    int     `json:"pid"`
	TID    int     `json:"tid"`
	Comm   string  `json:"comm"`
	File   string  `json:"file"`
	FD     *int    `json:"fd"`
	Err    *int    `json:"err"`
	Attach string  `json:"attach"`
}

// tableRow is one line of `open --show-tid` output: TIME(s) COMM PID TID FILE.
type tableRow struct {
	time     float64
	comm     string
	pid, tid int
	file     string
}

func parseRow(t *testing.T, line string) tableRow {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 5 {
		t.Fatalf("short table row %q", line)
	}
	// comm may contain spaces: count columns from both ends.
	n := len(f)
	secs, err1 := strconv.ParseFloat(f[0], 64)
	pid, err2 := strconv.Atoi(f[n-3])
	tid, err3 := strconv.Atoi(f[n-2])
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("bad table row %q", line)
	}
	return tableRow{time: secs, comm: strings.Join(f[1:n-3], " "), pid: pid, tid: tid, file: f[n-1]}
}

var summaryRE = regexp.MustCompile(`(\d+) events, (\d+) lost`)

// summary reads "N events, M lost" from stderr.
func summary(t *testing.T, stderr string) (events, lost int) {
	t.Helper()
	m := summaryRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no 'N events, M lost' summary on stderr:\n%s", stderr)
	}
	events, _ = strconv.Atoi(m[1])
	lost, _ = strconv.Atoi(m[2])
	return events, lost
}

const opensPerChild = 1000

// TestOpenSeesEveryOpen: a child opens a unique path 1000 times; exactly
// 1000 events with its pid, tid, comm and path must be printed, through
// either buffer, in either output format, with nothing lost.
func TestOpenSeesEveryOpen(t *testing.T) {
	for _, buffer := range []string{"perf", "ring"} {
		for _, format := range []string{"table", "json"} {
			t.Run(buffer+"/"+format, func(t *testing.T) {
				before := ourPrograms(t)
				args := []string{"open", "--buffer", buffer, "--show-tid"}
				if format == "json" {
					args = append(args, "--json")
				}
				child := startOpener(t, opensPerChild) // creates its file before tracing starts
				tr := startTracer(t, ready.Line, args...)
				child.run(t)

				var rows []tableRow
				header := ""
				lines := tr.collect(t, opensPerChild, testenv.Patience, func(line string) bool {
					if format == "json" {
						var r openRecord
						if err := json.Unmarshal([]byte(line), &r); err != nil {
							t.Fatalf("stdout line is not JSON: %q: %v", line, err)
						}
						rows = append(rows, tableRow{time: r.TimeS, comm: r.Comm, pid: r.PID, tid: r.TID, file: r.File})
						if r.File == child.path && (r.Attach == "" || r.FD == nil || *r.FD < 0) {
							t.Errorf("JSON event lacks attach or a valid fd: %s", line)
						}
						return r.File == child.path
					}
					if header == "" {
						header = line
						return false
					}
					row := parseRow(t, line)
					rows = append(rows, row)
					return row.file == child.path
				})
				code, stderr := tr.stop(t)
				// Anything printed after the stop must not be another copy.
				for line := range tr.Lines {
					if strings.Contains(line, child.path) {
						lines = append(lines, line)
					}
				}
				if code != 0 {
					t.Errorf("exit code %d after SIGINT, want 0; stderr:\n%s", code, stderr)
				}
				if len(lines) != opensPerChild {
					t.Fatalf("got %d events for %s, want exactly %d; stderr:\n%s", len(lines), child.path, opensPerChild, stderr)
				}
				for _, r := range rows {
					if r.file != child.path {
						continue
					}
					if r.pid != child.pid || r.tid != child.tid || r.comm != child.comm {
						t.Fatalf("event pid=%d tid=%d comm=%q, want pid=%d tid=%d comm=%q", r.pid, r.tid, r.comm, child.pid, child.tid, child.comm)
					}
				}
				if format == "table" && !strings.HasPrefix(header, "TIME(s)") {
					t.Errorf("first line %q is not the TIME(s) header", header)
				}
				assertTimeColumn(t, rows)
				if _, lost := summary(t, stderr); lost != 0 {
					t.Errorf("%d events lost with the default buffer under a moderate load; stderr:\n%s", lost, stderr)
				}
				assertNothingLeft(t, before)
			})
		}
	}
}

// assertTimeColumn: the first event is at 0 and time never goes backwards.
func assertTimeColumn(t *testing.T, rows []tableRow) {
	t.Helper()
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	if rows[0].time != 0 {
		t.Errorf("first event at %v s, want 0", rows[0].time)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].time < rows[i-1].time {
			t.Fatalf("time goes backwards at row %d: %v after %v", i, rows[i].time, rows[i-1].time)
		}
	}
}

// TestOpenFilters: --pid and --comm show only the child's opens; a filter
// that matches nothing prints only the header.
func TestOpenFilters(t *testing.T) {
	const n = 50
	for _, filter := range []string{"pid", "comm"} {
		t.Run(filter, func(t *testing.T) {
			child := startOpener(t, n)
			value := strconv.Itoa(child.pid)
			if filter == "comm" {
				value = child.comm
			}
			tr := startTracer(t, ready.Line, "open", "--show-tid", "--"+filter, value)
			child.run(t)
			header := false
			var others []string
			got := tr.collect(t, n, testenv.Patience, func(line string) bool {
				if !header {
					header = true
					return false
				}
				row := parseRow(t, line)
				if row.pid != child.pid || row.comm != child.comm {
					others = append(others, line)
				}
				return row.file == child.path
			})
			code, stderr := tr.stop(t)
			if code != 0 {
				t.Errorf("exit code %d, want 0; stderr:\n%s", code, stderr)
			}
			if len(got) != n {
				t.Errorf("got %d of the child's %d opens; stderr:\n%s", len(got), n, stderr)
			}
			if len(others) > 0 {
				t.Errorf("--%s %s let other processes through: %q", filter, value, others)
			}
		})
	}
	t.Run("no match prints only the header", func(t *testing.T) {
		tr := startTracer(t, ready.Line, "open", "--pid", "4194000", "--duration", "2s")
		code, stderr := tr.wait(t, testenv.Patience)
		var out []string
		for line := range tr.Lines {
			out = append(out, line)
		}
		if code != 0 || len(out) != 1 || !strings.HasPrefix(out[0], "TIME(s)") {
			t.Errorf("exit %d, stdout %q; want exit 0 and only the header; stderr:\n%s", code, out, stderr)
		}
		if events, _ := summary(t, stderr); events != 0 {
			t.Errorf("summary says %d events, want 0", events)
		}
	})
}

// TestOpenCountsLostEvents: with a one-page buffer and a flood of opens the
// tool must report losses, warn, and still exit cleanly.
func TestOpenCountsLostEvents(t *testing.T) {
	for _, buffer := range []string{"perf", "ring"} {
		t.Run(buffer, func(t *testing.T) {
			before := ourPrograms(t)
			child := startOpener(t, 50000)
			tr := startTracer(t, ready.Line, "open", "--buffer", buffer, "--pages", "1", "--pid", strconv.Itoa(child.pid))
			child.run(t)
			_ = tr.WaitFor(hasWarning, testenv.Patience) // the loss check warns while it runs; checked below
			code, stderr := tr.stop(t)
			if code != 0 {
				t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
			}
			events, lost := summary(t, stderr)
			if lost == 0 {
				t.Fatalf("no loss reported for 50000 opens into a one-page buffer (%d events); stderr:\n%s", events, stderr)
			}
			if events+lost != 50000 {
				t.Errorf("%d events + %d lost = %d: every one of the child's 50000 opens must be printed or counted", events, lost, events+lost)
			}
			if !strings.Contains(stderr, "warning:") || !strings.Contains(stderr, "lost") {
				t.Errorf("no loss warning on stderr:\n%s", stderr)
			}
			if buffer == "ring" && strings.Contains(stderr, "--buffer ring") {
				t.Errorf("on the ring buffer already, the warning advises --buffer ring:\n%s", stderr)
			}
			t.Logf("%s, 1 page: %d events, %d lost", buffer, events, lost)
			assertNothingLeft(t, before)
		})
	}
}

// TestOpenRejectsBadInput: one line on stderr, non-zero exit, no panic.
func TestOpenRejectsBadInput(t *testing.T) {
	bin := binary(t)
	for _, args := range [][]string{
		{"open", "--pid", "abc"},
		{"open", "--pid", "-1"},
		{"open", "--pid", "4294967296"}, // would wrap to 0: every process
		{"open", "--pid", "4294967297"}, // would wrap to pid 1
		{"open", "--tid", "4294967297"},
		{"open", "--pid", "99999999999999999999"},
		{"open", "--uid", "4294967296"}, // would wrap to root
		{"open", "--uid", "4294967295"}, // (uid_t)-1 is no user
		{"open", "--buffer", "foo"},
		{"open", "--duration", "xyz"},
		{"open", "--pages", "3"},
		{"open", "--attach", "uprobe"},
		{"open", "--entry-only", "--failed"},
		{"open", "--no-such-flag"},
		{"open", "stray"},
		{"no-such-command"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			assertOneLineError(t, runBinary(t, bin, args...))
		})
	}
}

// TestUnknownCommandIsNamed: not urfave/cli's "No help topic for 'bogus'".
func TestUnknownCommandIsNamed(t *testing.T) {
	r := runBinary(t, binary(t), "bogus")
	assertOneLineError(t, r)
	if !strings.Contains(r.stderr, `unknown command "bogus"`) || !strings.Contains(r.stderr, "the commands are printk, open, ") {
		t.Errorf("stderr should name the unknown command and the real ones: %s", r.stderr)
	}
	if r := runBinary(t, binary(t)); r.code != 0 || !strings.Contains(r.stdout, "COMMANDS:") {
		t.Errorf("without a command: exit %d, stdout %q; want the help and exit 0", r.code, r.stdout)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func runBinary(t *testing.T, bin string, args ...string) result {
	t.Helper()
	return runCommand(t, append([]string{bin}, args...)...)
}

func assertOneLineError(t *testing.T, r result) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("exit code 0, want non-zero; stdout %q stderr %q", r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "ebpf-hello: error: ") {
		t.Errorf("stderr is not one 'ebpf-hello: error:' line:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, "goroutine") || strings.Contains(r.stderr, "panic") {
		t.Errorf("panic output:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout should be empty on error, got %q", r.stdout)
	}
}

// TestOpenAsNonRootSaysWhatItNeeds runs the binary as nobody.
func TestOpenAsNonRootSaysWhatItNeeds(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	r := runCommand(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, "open", "-n", "1")
	assertOneLineError(t, r)
	if !strings.Contains(r.stderr, "root") || !strings.Contains(r.stderr, "CAP_BPF") {
		t.Errorf("the error should say root or CAP_BPF is needed: %s", r.stderr)
	}
}

func requireRootAndSetpriv(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Fatalf("setpriv (util-linux) is needed to test a non-root run: %v", err)
	}
}
