package examples_test

// The C-only track of the workshop, run as the sheet says: each BCC file
// and reference solution is given to `bin/ebpf-hello run` (on a kernel
// without kprobes, run falls back to the syscall tracepoints), a child
// opens a file of its own, and the output must show what the sheet says
// the learner will see for that child's opens. These tests read
// trace_pipe (one reader at a time): they run one after the other, and
// make test runs under the kernel lock.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// startRun runs `bin/ebpf-hello run args...` in dir, as the sheet does,
// and waits for its ready line.
func startRun(t *testing.T, dir string, args ...string) *example {
	t.Helper()
	testenv.RequireRoot(t)
	bin, err := filepath.Abs("../bin/ebpf-hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		testenv.Skip(t, "bin/ebpf-hello not built: run make build (make test does)")
	}
	cmd := exec.Command(bin, append([]string{"run"}, args...)...)
	cmd.Dir = dir
	return startCmd(t, cmd, ready.In)
}

// stdoutText is what the run printed so far.
func (e *example) stdoutText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stdout.String()
}

// until polls the output until done accepts it, the program exits or
// testenv.Patience passes, and returns it.
func (e *example) until(done func(stdout string) bool) string {
	deadline := time.Now().Add(testenv.Patience)
	for {
		select {
		case <-e.done:
			return e.stdoutText() // all of it
		default:
		}
		out := e.stdoutText()
		if done(out) || time.Now().After(deadline) {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the run with SIGINT, as Ctrl-C does, and returns its stdout;
// the run must exit cleanly.
func (e *example) stop(t *testing.T) string {
	t.Helper()
	_ = e.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-e.done:
	case <-time.After(testenv.Patience):
		t.Fatalf("run did not exit within %s of SIGINT: %s", testenv.Patience, e.errText())
	}
	if code := e.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("run exited %d: %s", code, e.errText())
	}
	return e.stdoutText()
}

// child is a process the test ran: cat, under a command name of its own,
// opening one file of its own opens times.
type child struct {
	pid   int
	comm  string
	path  string
	opens int
}

// openFile runs cat through a symlink with a unique name (the kernel
// names the process after it) on a fresh file whose path is about
// pathLen bytes long, opens times.
func openFile(t *testing.T, pathLen, opens int) child {
	t.Helper()
	dir := t.TempDir()
	comm := fmt.Sprintf("ehc%d", time.Now().UnixNano()%1e9) // under 16 bytes: the whole comm
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cat, filepath.Join(dir, comm)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "f")
	if pad := pathLen - len(path); pad > 0 {
		path += strings.Repeat("x", min(pad, 200))
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	args := make([]string, opens)
	for i := range args {
		args[i] = path
	}
	cmd := exec.Command(filepath.Join(dir, comm), args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", comm, err, out)
	}
	return child{pid: cmd.Process.Pid, comm: comm, path: path, opens: opens}
}

// printkMessage is the message a C file passes to bpf_trace_printk or
// bpf_printk: what the learner will see in each line.
func printkMessage(t *testing.T, file string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`bpf_(?:trace_)?printk\("([^"\\]*)"`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s calls no bpf_trace_printk with a plain message", file)
	}
	return string(m[1])
}

// C1 and its solution: trace_pipe lines with the C file's message, from
// the child's pid, as BCC's trace_print() prints them.
func TestCOnlyTraceRuns(t *testing.T) {
	for _, tt := range []struct{ dir, file, source string }{
		{"c-only/bcc", "hello.py", "hello.c"},
		{"solutions/c-only/1-message", "hello.py", "hello.c"},
		{"solutions/c-only/4-libbpf", "hello.bpf.c", "hello.bpf.c"},
	} {
		t.Run(filepath.Join(tt.dir, tt.file), func(t *testing.T) {
			message := printkMessage(t, filepath.Join(tt.dir, tt.source))
			e := startRun(t, tt.dir, tt.file)
			c := openFile(t, 0, 5)
			ours := func(out string) int {
				n := 0
				for _, line := range strings.Split(out, "\n") {
					if tt.file == "hello.bpf.c" { // run's own table: TASK PID CPU FLAGS TIMESTAMP FUNCTION MESSAGE
						f := strings.Fields(line)
						if len(f) > 2 && f[1] == strconv.Itoa(c.pid) && strings.HasSuffix(line, " "+message) {
							n++
						}
						continue
					}
					l := tracepipe.Parse(line) // trace_print(): trace_pipe's own lines
					if l.Parsed && l.IsBPFPrintk() && l.PID == c.pid && l.Message == message {
						n++
					}
				}
				return n
			}
			// cat opens its libraries, its locale files and the file 5 times.
			out := e.until(func(out string) bool { return ours(out) >= c.opens })
			e.stop(t)
			if n := ours(out); n < c.opens {
				t.Fatalf("%d lines %q from pid %d (%s), want at least its %d opens; output:\n%s\nstderr:\n%s",
					n, message, c.pid, c.comm, c.opens, tail(out), e.errText())
			}
		})
	}
}

// C1's hello2.py: the TIME(s) COMM PID FILE header, then one row per open
// of the child's file, with its comm and pid.
func TestCOnlyEventsRun(t *testing.T) {
	e := startRun(t, "c-only/bcc", "hello2.py")
	c := openFile(t, 0, 20)
	rows := func(out string) (header bool, n int) {
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 4 && f[0] == "TIME(s)" && f[1] == "COMM" && f[2] == "PID" && f[3] == "FILE" {
				header = true
			}
			if len(f) == 4 && f[1] == c.comm && f[2] == strconv.Itoa(c.pid) && f[3] == c.path {
				if _, err := strconv.ParseFloat(f[0], 64); err == nil {
					n++
				}
			}
		}
		return header, n
	}
	out := e.until(func(out string) bool { _, n := rows(out); return n >= c.opens })
	e.stop(t)
	header, n := rows(out)
	if !header || n != c.opens {
		t.Fatalf("header %v, %d rows for %s (pid %d) opening %s, want %d; output:\n%s\nstderr:\n%s",
			header, n, c.comm, c.pid, c.path, c.opens, tail(out), e.errText())
	}
}

// C2: at Ctrl-C, a log2 histogram whose row holding the length of the
// child's file name (NUL included, as bpf_probe_read_user_str counts it)
// counts at least the child's opens. The name is about 150 bytes long: a
// bucket (128 -> 255) few other opens fall in.
func TestCOnlyHistogramRun(t *testing.T) {
	e := startRun(t, "solutions/c-only/2-namelen", "namelen.c")
	c := openFile(t, 150, 30)
	time.Sleep(300 * time.Millisecond) // let the last opens reach the map before stopping
	out := e.stop(t)
	length := len(c.path) + 1
	row := regexp.MustCompile(`^\s*(\d+) -> (\d+)\s*: (\d+)\s*\|\**\s*\|$`)
	found := false
	for _, line := range strings.Split(out, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		count, _ := strconv.Atoi(m[3])
		if lo <= length && length <= hi {
			found = true
			if count < c.opens {
				t.Errorf("row %q counts %d names of %d..%d bytes; the child opened a %d-byte name %d times", line, count, lo, hi, length, c.opens)
			}
		}
	}
	if !found || !strings.Contains(out, "distribution") {
		t.Fatalf("no histogram row holding %d (the child's name length); output:\n%s\nstderr:\n%s", length, out, e.errText())
	}
}

// C3 and C4's count.bpf.c: at Ctrl-C, the map's items sorted by count,
// one row per process, the child's with its pid, comm and at least its
// opens (cat also opens its libraries).
func TestCOnlyCountRuns(t *testing.T) {
	for _, tt := range []struct{ dir, file string }{
		{"solutions/c-only/3-count", "count.c"},
		{"solutions/c-only/4-libbpf", "count.bpf.c"},
	} {
		t.Run(filepath.Join(tt.dir, tt.file), func(t *testing.T) {
			e := startRun(t, tt.dir, tt.file)
			c := openFile(t, 0, 25)
			time.Sleep(300 * time.Millisecond)
			out := e.stop(t)
			var counts []int
			ours := -1
			for _, line := range strings.Split(out, "\n") {
				f := strings.Fields(line)
				if len(f) != 3 {
					continue
				}
				n, err := strconv.Atoi(f[2])
				if err != nil {
					continue // the header
				}
				counts = append(counts, n)
				if f[0] == strconv.Itoa(c.pid) && f[1] == c.comm {
					ours = n
				}
			}
			if ours < c.opens {
				t.Fatalf("no row %d %s with at least %d opens; output:\n%s\nstderr:\n%s", c.pid, c.comm, c.opens, tail(out), e.errText())
			}
			for i := 1; i < len(counts); i++ {
				if counts[i] < counts[i-1] {
					t.Fatalf("rows not sorted by count (largest last): %d after %d", counts[i], counts[i-1])
				}
			}
		})
	}
}

// tail is the end of a long output, for failure messages.
func tail(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > 40 {
		lines = append([]string{"..."}, lines[len(lines)-40:]...)
	}
	return strings.Join(lines, "\n")
}

// The C-only section of each sheet asks for no Go and no BCC: its
// commands are `cd` and `ebpf-hello run`, and C1's are the ones
// TestCOnlyTraceRuns and TestCOnlyEventsRun run.
func TestCOnlySheetsRunOnlyRun(t *testing.T) {
	for _, tt := range []struct{ sheet, heading string }{
		{"../docs/workshop.md", "## Exercises: C only"},
		{"../docs/workshop.zh.md", "## 练习：只写 C"},
	} {
		text, err := os.ReadFile(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		_, section, ok := strings.Cut(string(text), tt.heading)
		if !ok {
			t.Fatalf("%s has no %q section", tt.sheet, tt.heading)
		}
		if end := strings.Index(section, "\n## "); end >= 0 {
			section = section[:end]
		}
		var commands []string
		for i, block := range strings.Split(section, "```") {
			if i%2 == 0 {
				continue // prose between code blocks
			}
			for _, line := range strings.Split(block, "\n")[1:] {
				line, _, _ = strings.Cut(line, "#")
				if line = strings.TrimSpace(line); line != "" {
					commands = append(commands, line)
				}
			}
		}
		want := []string{
			"cd examples/c-only/bcc",
			"sudo ../../../bin/ebpf-hello run hello.py",
			"sudo ../../../bin/ebpf-hello run hello2.py",
		}
		if strings.Join(commands, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: the C-only commands are\n%s\nwant (as the tests run them)\n%s", tt.sheet, strings.Join(commands, "\n"), strings.Join(want, "\n"))
		}
		for _, word := range []string{"go build", "go run", "go mod", "pip install", "bpfcc", "apt install", "apt-get install"} {
			if strings.Contains(section, word) {
				t.Errorf("%s: the C-only section mentions %q", tt.sheet, word)
			}
		}
	}
}
