package main

// `run` on BCC scripts that print a map with their own items() loop
// (internal/bccpy/testdata/items): the rows follow the script's print (a
// %-format, an f-string, a .format()), in the script's order, after the
// titles it prints just before the loop; a print run cannot follow falls
// back to run's own table and is named on stderr.

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

const itemsDir = "../../internal/bccpy/testdata/items"

// runItems runs script, lets a child open its file opens times, and
// returns run's stdout lines (after Ctrl-C, or as soon as until accepts
// them for scripts that print every interval) and its stderr.
func runItems(t *testing.T, script string, opens int, until func(lines []string, o *opener) bool) ([]string, string, *opener) {
	t.Helper()
	needRun(t)
	before := ourPrograms(t)
	tr := startTracer(t, ready.Line, "run", filepath.Join(itemsDir, script))
	o := startOpener(t, opens)
	o.run(t)
	var lines []string
	if until != nil {
		deadline := time.After(testenv.Patience)
	read:
		for !until(lines, o) {
			select {
			case l, ok := <-tr.Lines:
				if !ok {
					break read
				}
				lines = append(lines, l)
			case <-deadline:
				break read
			}
		}
	} else {
		time.Sleep(300 * time.Millisecond) // the last opens reach the map
	}
	code, stderr := tr.stop(t)
	for l := range tr.Lines {
		lines = append(lines, l)
	}
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	assertNothingLeft(t, before)
	return lines, stderr, o
}

// indexOf is the index of the first line equal to want, or -1.
func indexOf(lines []string, want string) int {
	for i, l := range lines {
		if l == want {
			return i
		}
	}
	return -1
}

func TestRunItemsPercentFormat(t *testing.T) {
	lines, stderr, o := runItems(t, "percent.py", 40, nil)
	head := indexOf(lines, fmt.Sprintf("%-7s %-16s %6s", "PID", "COMM", "OPENS"))
	row := indexOf(lines, fmt.Sprintf("%-7d %-16s %6d", o.pid, o.comm, 40))
	if head < 0 || row < head {
		t.Fatalf("want the script's titles, then the child's row (pid %d, %s, 40 opens) in its format; stdout:\n%s\nstderr:\n%s",
			o.pid, o.comm, strings.Join(lines, "\n"), stderr)
	}
	// reverse=True: the busiest first
	last := -1
	for _, l := range lines[head+1:] {
		f := strings.Fields(l)
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil {
			t.Fatalf("row %q does not end in a count", l)
		}
		if last >= 0 && n > last {
			t.Fatalf("rows not sorted by count, busiest first: %d after %d", n, last)
		}
		last = n
	}
	if strings.Contains(stderr, "note:") || indexOf(lines, "counts:") >= 0 {
		t.Errorf("the script was followed only in part: stderr:\n%s", stderr)
	}
}

func TestRunItemsFString(t *testing.T) {
	want := func(o *opener) string { return fmt.Sprintf("%-16s %7d %6d", o.comm, o.pid, 30) }
	lines, stderr, o := runItems(t, "fstring.py", 30, func(lines []string, o *opener) bool { return indexOf(lines, want(o)) >= 0 })
	row := indexOf(lines, want(o))
	if row < 0 {
		t.Fatalf("no row %q; stdout:\n%s\nstderr:\n%s", want(o), strings.Join(lines, "\n"), stderr)
	}
	// the titles head each print; the rows under them are sorted by pid
	head := fmt.Sprintf("%-16s %7s %6s", "COMM", "PID", "OPENS")
	start := row
	for start >= 0 && lines[start] != head {
		start--
	}
	if start < 0 {
		t.Fatalf("no %q above the child's row; stdout:\n%s", head, strings.Join(lines, "\n"))
	}
	last := -1
	for _, l := range lines[start+1:] {
		if l == head {
			break
		}
		f := strings.Fields(l)
		pid, err := strconv.Atoi(f[len(f)-2])
		if err != nil || pid < last {
			t.Fatalf("rows not sorted by pid (the script's key=): %q after pid %d", l, last)
		}
		last = pid
	}
}

func TestRunItemsDotFormat(t *testing.T) {
	lines, stderr, o := runItems(t, "format.py", 20, nil)
	want := fmt.Sprintf("%-16s pid %d opened %d files", o.comm, o.pid, 20)
	if indexOf(lines, want) < 0 {
		t.Fatalf("no row %q; stdout:\n%s\nstderr:\n%s", want, strings.Join(lines, "\n"), stderr)
	}
	// what run does not reproduce is listed, with the script's lines
	for _, note := range []string{"format.py:13: print", "format.py:14: the items() loop's slice", "format.py:15: this line"} {
		if !strings.Contains(stderr, note) {
			t.Errorf("stderr lacks %q:\n%s", note, stderr)
		}
	}
}

// A print run cannot follow: run's own table, and a note naming it.
func TestRunItemsFallsBack(t *testing.T) {
	lines, stderr, o := runItems(t, "odd.py", 10, nil)
	if !strings.Contains(stderr, "odd.py:17:") || !strings.Contains(stderr, "describe(...)") {
		t.Errorf("stderr does not name the print it could not follow:\n%s", stderr)
	}
	title := indexOf(lines, "counts:")
	found := false
	for _, l := range lines {
		f := strings.Fields(l)
		found = found || len(f) == 3 && f[0] == strconv.Itoa(o.pid) && f[1] == o.comm && f[2] == "10"
	}
	if title < 0 || !found {
		t.Fatalf("want run's own table of counts with the child's row (%d %s 10); stdout:\n%s", o.pid, o.comm, strings.Join(lines, "\n"))
	}
}

// reversed(sorted(...items_lookup_and_delete_batch())): busiest first,
// after a blank line and the titles, every 2 s.
func TestRunItemsBatchReversed(t *testing.T) {
	want := func(o *opener) string { return fmt.Sprintf("%-16s %-7d %d", o.comm, o.pid, 15) }
	lines, stderr, o := runItems(t, "batch.py", 15, func(lines []string, o *opener) bool { return indexOf(lines, want(o)) >= 0 })
	row := indexOf(lines, want(o))
	if row < 0 {
		t.Fatalf("no row %q; stdout:\n%s\nstderr:\n%s", want(o), strings.Join(lines, "\n"), stderr)
	}
	head := fmt.Sprintf("%-16s %-7s %s", "COMM", "PID", "OPENS")
	start := row
	for start >= 0 && lines[start] != head {
		start--
	}
	if start < 1 || lines[start-1] != "" {
		t.Fatalf("no blank line and %q above the child's row; stdout:\n%s", head, strings.Join(lines, "\n"))
	}
	last := -1
	for _, l := range lines[start+1:] {
		if l == "" {
			break
		}
		f := strings.Fields(l)
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil || last >= 0 && n > last {
			t.Fatalf("rows not sorted busiest first: %q after %d", l, last)
		}
		last = n
	}
}

// A print of a field the map does not have: run's own table, every
// interval, and one warning naming the map.
func TestRunItemsMisfitWarnsOnce(t *testing.T) {
	tables := 0
	lines, stderr, o := runItems(t, "misfit.py", 10, func(lines []string, o *opener) bool {
		tables = 0
		for _, l := range lines {
			if l == "counts:" {
				tables++
			}
		}
		return tables >= 2
	})
	if tables < 2 {
		t.Fatalf("want run's own table of counts at two intervals; stdout:\n%s\nstderr:\n%s", strings.Join(lines, "\n"), stderr)
	}
	if n := strings.Count(stderr, "does not fit"); n != 1 || !strings.Contains(stderr, `"key.tgid"`) {
		t.Errorf("want one warning naming key.tgid, got %d:\n%s", n, stderr)
	}
	found := false
	for _, l := range lines {
		f := strings.Fields(l)
		found = found || len(f) == 3 && f[0] == strconv.Itoa(o.pid) && f[1] == o.comm && f[2] == "10"
	}
	if !found {
		t.Errorf("no row %d %s 10; stdout:\n%s", o.pid, o.comm, strings.Join(lines, "\n"))
	}
}
