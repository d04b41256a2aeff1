package examples_test

// The workshop sheets (docs/workshop.md, docs/workshop.zh.md) read in
// order, as a learner goes through them: where sudo is first met, the
// directory each command runs in, what a step says it prints, the time
// plan, the Chinese wording. Tests that load BPF need root and read
// trace_pipe: make test runs them under the kernel lock.

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// sheet is one language's workshop sheet and the words the tests look for in it.
type sheet struct {
	path     string
	dropSudo string // the note that says to leave sudo out as root
	cOnly    string // the C-only track's heading
	timePlan string // how the time plan paragraph starts
	goTrack  string // the C + Go exercises' heading
	twice    string // what a learner copying both programs of a file would see
}

var sheets = []sheet{
	{"../docs/workshop.md", "leave `sudo` out", "## Exercises: C only", "**Time.**", "## Exercises: C + Go", "twice"},
	{"../docs/workshop.zh.md", "去掉 `sudo`", "## 练习：只写 C", "**时间安排。**", "## 练习：C + Go", "两次"},
}

func readPage(t *testing.T, path string) string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// sectionOf is the part of text from the line that starts with heading up
// to the next heading of the same level or above (code blocks aside).
func sectionOf(t *testing.T, page, text, heading string) string {
	t.Helper()
	i := strings.Index(text, "\n"+heading)
	if i < 0 {
		t.Fatalf("%s has no heading %q", page, heading)
	}
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	lines := strings.SplitAfter(text[i+1:], "\n")
	var b strings.Builder
	b.WriteString(lines[0])
	inCode := false
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
		}
		if hashes := len(l) - len(strings.TrimLeft(l, "#")); !inCode && hashes > 0 && hashes <= level && strings.HasPrefix(l[hashes:], " ") {
			break
		}
		b.WriteString(l)
	}
	return b.String()
}

// lineOf is the 1-based line of byte offset i in text.
func lineOf(text string, i int) int { return strings.Count(text[:i], "\n") + 1 }

// Set-up is where a learner first meets sudo: the note saying to leave it
// out as root (a minimal Debian has no sudo) must come before that, in the
// same section, not a hundred lines later.
func TestWorkshopSaysToDropSudoWhereSudoFirstAppears(t *testing.T) {
	firstSudo := regexp.MustCompile("(?m)^sudo |`sudo ")
	for _, s := range sheets {
		text := readPage(t, s.path)
		first := firstSudo.FindStringIndex(text)
		if first == nil {
			t.Fatalf("%s uses no sudo: is the pattern still right?", s.path)
		}
		note := strings.Index(text, s.dropSudo)
		switch {
		case note < 0:
			t.Errorf("%s never says %q", s.path, s.dropSudo)
		case note > first[0]:
			t.Errorf("%s says %q on line %d, after its first sudo command on line %d", s.path, s.dropSudo, lineOf(text, note), lineOf(text, first[0]))
		case strings.Contains(text[note:first[0]], "\n## "):
			t.Errorf("%s says %q on line %d, in another section than its first sudo command (line %d)", s.path, s.dropSudo, lineOf(text, note), lineOf(text, first[0]))
		}
	}
}

// commandsIn lists, in reading order, the commands a piece of a sheet
// gives: each line of a code block (its # comment cut), and the inline
// code that is a command: `cd ...`, `sudo ...`, and ebpf-hello or make
// given with a path or sudo (a bare `ebpf-hello run` is a name, not a
// command).
func commandsIn(text string) []string {
	inline := regexp.MustCompile("`([^`\n]+)`")
	isCommand := regexp.MustCompile(`^(cd |sudo |\S*/ebpf-hello \S+ \S)`)
	var commands []string
	for i, part := range strings.Split(text, "```") {
		if i%2 == 1 { // a code block: its first line is the language
			for _, line := range strings.Split(part, "\n")[1:] {
				line, _, _ = strings.Cut(line, "#")
				if line = strings.TrimSpace(line); line != "" {
					commands = append(commands, line)
				}
			}
			continue
		}
		for _, m := range inline.FindAllStringSubmatch(part, -1) {
			if isCommand.MatchString(m[1]) {
				commands = append(commands, m[1])
			}
		}
	}
	return commands
}

// The C-only track starts with `cd examples/c-only/bcc`: every command
// after it must work from where the previous one left the learner (or cd
// first). Each ebpf-hello run command is run from there, compiling only
// (--emit-object: no root, no kernel). A file the learner writes in an
// exercise is taken from the reference solution of that name. make test
// must be run where the top Makefile is.
func TestWorkshopCOnlyCommandsWorkFromWhereTheLearnerIs(t *testing.T) {
	bin, err := filepath.Abs("../bin/ebpf-hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		testenv.Skip(t, "bin/ebpf-hello not built: run make build (make test does)")
	}
	if _, err := exec.LookPath("clang"); err != nil {
		testenv.Skip(t, "clang not installed (run make setup)")
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		testenv.Skip(t, "no kernel BTF")
	}
	solutions := map[string]string{} // a file's name → its reference solution
	found, err := filepath.Glob("solutions/c-only/*/*")
	if err != nil || len(found) == 0 {
		t.Fatalf("no C-only solutions (%v)", err)
	}
	for _, f := range found {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		solutions[filepath.Base(f)] = abs
	}
	for _, s := range sheets {
		text := readPage(t, s.path)
		start := strings.Index(text, "\n"+s.cOnly)
		if start < 0 {
			t.Fatalf("%s has no %q", s.path, s.cOnly)
		}
		cwd := ".." // the sheet's commands start at the repository root
		runs := 0
		for _, command := range commandsIn(text[start:]) {
			where := filepath.Join("/", strings.TrimPrefix(cwd, ".."))
			if dir, ok := strings.CutPrefix(command, "cd "); ok {
				next := filepath.Join(cwd, strings.TrimSpace(dir))
				if fi, err := os.Stat(next); err != nil || !fi.IsDir() {
					t.Errorf("%s: `%s`, in %s: no such directory", s.path, command, where)
					continue
				}
				cwd = next
				continue
			}
			argv := strings.Fields(strings.TrimPrefix(command, "sudo "))
			if argv[0] == "make" {
				if _, err := os.Stat(filepath.Join(cwd, "Makefile")); err != nil || filepath.Clean(cwd) != ".." {
					t.Errorf("%s: `%s`, in %s: make test is the top Makefile's, in the repository root", s.path, command, where)
				}
				continue
			}
			if filepath.Base(argv[0]) != "ebpf-hello" || len(argv) < 3 || argv[1] != "run" {
				t.Errorf("%s: `%s`: not a cd, make or ebpf-hello run command (the C-only track needs no other)", s.path, command)
				continue
			}
			if !strings.Contains(argv[0], "/") {
				t.Errorf("%s: `%s` gives ebpf-hello without a path: make build puts it in bin/, not on PATH", s.path, command)
				continue
			}
			runs++
			args := argv[1:]
			if args[1] != "--help" {
				file := args[1]
				if _, err := os.Stat(filepath.Join(cwd, file)); err != nil {
					// One the learner writes here: its solution, as a path from here.
					sol, ok := solutions[file]
					if !ok || strings.Contains(file, "/") {
						t.Errorf("%s: `%s`, in %s: no %s there, nor a reference solution of that name", s.path, command, where, file)
						continue
					}
					args[1] = sol
				}
				args = append(args, "--emit-object", filepath.Join(t.TempDir(), "out.bpf.o"))
			}
			cmd := exec.Command(argv[0], args...) // a relative path: from cmd.Dir, as a shell there would
			cmd.Dir = cwd
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: `%s`, in %s: %v\n%s", s.path, command, where, err, out)
			}
		}
		if runs < 5 {
			t.Errorf("%s: %d ebpf-hello run commands in and after the C-only track: is the pattern still right?", s.path, runs)
		}
	}
}

var programRE = regexp.MustCompile(`(?ms)^SEC\("([^"]+)"\)\nint (\w+)\([^)]*\)\n\{\n.*?^\}\n`)

// C4 points at example files to learn libbpf's way from. Each holds a
// kprobe program and a tracepoint program for the same opens (main.go
// picks one); run attaches every program in a file, so a learner who
// copies a whole file sees each open twice. The sheet must say which
// program to take, and what a copy holding only the SEC() the sheet gives
// attaches once.
func TestWorkshopC4SaysWhichProgramToTake(t *testing.T) {
	fileRE := regexp.MustCompile("`examples/([^`]+\\.bpf\\.c)`")
	secRE := regexp.MustCompile("`SEC\\(\"(tracepoint/[^\"]+)\"\\)`")
	copies := map[string]string{} // example file → what the learner takes of it
	for _, s := range sheets {
		c4 := sectionOf(t, s.path, readPage(t, s.path), "### C4 ")
		sec := secRE.FindStringSubmatch(c4)
		if sec == nil {
			t.Fatalf("%s: C4 gives no SEC(\"tracepoint/...\") to write", s.path)
		}
		files := fileRE.FindAllStringSubmatch(c4, -1)
		if len(files) < 2 {
			t.Fatalf("%s: C4 points at %d example files, want the hello and the map one", s.path, len(files))
		}
		for _, f := range files {
			src := readPage(t, f[1])
			progs := programRE.FindAllStringSubmatch(src, -1)
			var keep []string
			for _, p := range progs {
				if !strings.Contains(c4, "`"+p[2]+"`") {
					t.Errorf("%s: C4 points at %s but does not say whether to take its program %s (SEC %q)", s.path, f[1], p[2], p[1])
				}
				if p[1] == sec[1] {
					keep = append(keep, p[2])
				}
			}
			if len(keep) != 1 {
				t.Errorf("%s: %s has %d programs in SEC(%q), want 1", s.path, f[1], len(keep), sec[1])
				continue
			}
			if len(progs) > 1 && !strings.Contains(c4, s.twice) {
				t.Errorf("%s: C4 does not say what a copy of all %d programs of %s does (%q)", s.path, len(progs), f[1], s.twice)
			}
			copies[f[1]] = programRE.ReplaceAllStringFunc(src, func(p string) string {
				if programRE.FindStringSubmatch(p)[1] == sec[1] {
					return p
				}
				return ""
			})
		}
	}
	// What the learner takes attaches one program; the whole file, more.
	testenv.RequireRoot(t)
	for file, taken := range copies {
		t.Run(file, func(t *testing.T) {
			whole := readPage(t, file)
			if n := attachedPrograms(t, whole); n < 2 {
				t.Errorf("the whole %s attaches %d programs: does C4 still need to say which to take?", file, n)
			}
			if n := attachedPrograms(t, taken); n != 1 {
				t.Errorf("what the sheet says to take of %s attaches %d programs, want 1: each open would print %d times", file, n, n)
			}
		})
	}
}

// attachedPrograms runs src with ebpf-hello run until it is ready, stops
// it, and counts the programs run said it attached.
func attachedPrograms(t *testing.T, src string) int {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "learner.bpf.c"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e := startRun(t, dir, "learner.bpf.c")
	e.stop(t)
	return strings.Count(e.errText(), "ebpf-hello: attach: ")
}

// C3 promises the map's items under a `counts:` title and a `pid comm
// VALUE` header: the BCC solution and C4's libbpf one both print that.
func TestWorkshopC3HeaderIsWhatRunPrints(t *testing.T) {
	for _, s := range sheets {
		c3 := sectionOf(t, s.path, readPage(t, s.path), "### C3 ")
		for _, want := range []string{"`counts:`", "`pid comm VALUE`"} {
			if !strings.Contains(c3, want) {
				t.Errorf("%s: C3 does not show %s", s.path, want)
			}
		}
	}
	for _, tt := range []struct{ dir, file string }{
		{"solutions/c-only/3-count", "count.c"},
		{"solutions/c-only/4-libbpf", "count.bpf.c"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			e := startRun(t, tt.dir, tt.file)
			openFile(t, 0, 3)
			time.Sleep(300 * time.Millisecond) // let the opens reach the map before stopping
			out := e.stop(t)
			lines := strings.Split(out, "\n")
			for i, line := range lines {
				if strings.TrimSpace(line) == "counts:" && i+1 < len(lines) {
					if got := strings.Join(strings.Fields(lines[i+1]), " "); got != "pid comm VALUE" {
						t.Errorf("header %q under counts:, want pid comm VALUE", lines[i+1])
					}
					return
				}
			}
			t.Errorf("no counts: title; output:\n%s", tail(out))
		})
	}
}

// The tutorial says trace_pipe's columns are set in trace_options. The
// sheet's step turns one option off, runs example 01 to show its lines
// without that column, and turns it back on (every reader shares the
// options). Its commands, the same in both sheets, are run here as
// written (as root: without sudo) from the repository root, while this
// test opens files.
func TestWorkshopTraceOptionsStep(t *testing.T) {
	var commands []string
	for _, s := range sheets {
		var block []string
		for i, part := range strings.Split(readPage(t, s.path), "```") {
			if i%2 == 1 && strings.Contains(part, "/sys/kernel/tracing/options/") {
				block = commandsIn("```" + part + "```")
			}
		}
		if block == nil {
			t.Fatalf("%s has no step writing /sys/kernel/tracing/options/", s.path)
		}
		if commands != nil && strings.Join(block, "\n") != strings.Join(commands, "\n") {
			t.Errorf("the sheets' trace_options steps differ:\n%s\n---\n%s", strings.Join(commands, "\n"), strings.Join(block, "\n"))
		}
		commands = block
	}
	setRE := regexp.MustCompile(`^echo ([01]) \| sudo tee (/sys/kernel/tracing/options/irq-info)$`)
	var off, on, example = -1, -1, -1
	for i, c := range commands {
		if m := setRE.FindStringSubmatch(c); m != nil && m[1] == "0" && off < 0 {
			off = i
		} else if m != nil && m[1] == "1" {
			on = i
		}
		if strings.Contains(c, "examples/01-hello-printk/hello-printk -count ") {
			example = i
		}
	}
	if off < 0 || example < off || on < example {
		t.Fatalf("the step should turn irq-info off, run example 01 with -count, then turn irq-info back on; it is:\n%s", strings.Join(commands, "\n"))
	}

	testenv.RequireRoot(t)
	const option = "/sys/kernel/tracing/options/irq-info"
	was, err := os.ReadFile(option)
	if err != nil {
		testenv.Skip(t, "no "+option+": "+err.Error())
	}
	t.Cleanup(func() { _ = os.WriteFile(option, was, 0) })
	if _, err := os.Stat("01-hello-printk/hello-printk"); err != nil {
		testenv.Skip(t, "examples not built: run make examples")
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // the opens example 01 and printk print a line for
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if f, err := os.Open("/etc/hostname"); err == nil {
					f.Close()
				}
			}
		}
	}()
	// With irq-info off a line is "task-pid [cpu] timestamp: ...": no flags.
	noFlags := regexp.MustCompile(`^.{16}-\d+\s+\[\d+\]\s+\d+\.\d+: bpf_trace_printk: Hello, World!$`)
	for i, c := range commands {
		cmd := exec.Command("sh", "-c", strings.ReplaceAll(c, "sudo ", ""))
		cmd.Dir = ".."
		var stderr strings.Builder
		cmd.Stderr = &stderr
		timer := time.AfterFunc(testenv.Patience, func() { _ = cmd.Process.Kill() })
		out, err := cmd.Output()
		timer.Stop()
		if err != nil {
			t.Fatalf("`%s`: %v\n%s%s", c, err, out, stderr.String())
		}
		if i > on && !strings.Contains(string(out), "Hello, World!") {
			t.Errorf("`%s`, after irq-info is back on, shows no Hello, World! line:\n%s%s", c, out, stderr.String())
		}
		if i == example {
			n := 0
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			for sc.Scan() {
				if !noFlags.MatchString(sc.Text()) {
					t.Errorf("`%s` printed %q: not a line without the flags column", c, sc.Text())
				}
				n++
			}
			if n == 0 {
				t.Errorf("`%s` printed nothing", c)
			}
		}
	}
	if now, _ := os.ReadFile(option); strings.TrimSpace(string(now)) != "1" {
		t.Errorf("after the step, irq-info is %q: the step must turn it back on", now)
	}
}

// The time plan covers both tracks, and each track's heading gives a time
// its exercises' own estimates fit in. The C-only track's four exercises
// were once 55 minutes on paper, where a learner needs 1.5-2 hours.
func TestWorkshopTimePlanCoversBothTracks(t *testing.T) {
	minutesRE := regexp.MustCompile(`[(（](\d+) ?(?:min|分钟)[)）]`)
	rangeRE := regexp.MustCompile(`[(（]((\d+(?:\.\d+)?)[-～](\d+(?:\.\d+)?) ?(min|h|分钟|小时))[)）]`)
	for _, s := range sheets {
		text := readPage(t, s.path)
		_, plan, ok := strings.Cut(text, s.timePlan)
		if !ok {
			t.Fatalf("%s has no time plan (%q)", s.path, s.timePlan)
		}
		plan, _, _ = strings.Cut(plan, "\n\n")
		for _, heading := range []string{s.goTrack, s.cOnly} {
			section := sectionOf(t, s.path, text, heading)
			title, _, _ := strings.Cut(section, "\n")
			r := rangeRE.FindStringSubmatch(title)
			if r == nil {
				t.Errorf("%s: %q gives no time range", s.path, title)
				continue
			}
			lo, _ := strconv.ParseFloat(r[2], 64)
			hi, _ := strconv.ParseFloat(r[3], 64)
			if r[4] == "h" || r[4] == "小时" {
				lo, hi = lo*60, hi*60
			}
			sum := 0
			for _, line := range strings.Split(section, "\n") {
				if m := minutesRE.FindStringSubmatch(line); strings.HasPrefix(line, "### ") && m != nil {
					n, _ := strconv.Atoi(m[1])
					sum += n
				}
			}
			if float64(sum) < lo || float64(sum) > hi {
				t.Errorf("%s: %q: its exercises add up to %d min", s.path, title, sum)
			}
			if !strings.Contains(plan, r[1]) {
				t.Errorf("%s: the time plan does not give %q's %s", s.path, title, r[1])
			}
		}
	}
}

// The Chinese pages use the glossary's words, and no English left in the
// prose (code, commands and file names aside).
func TestWorkshopChineseHasNoEnglishLeftovers(t *testing.T) {
	pages := []string{"../docs/workshop.zh.md", "../docs/bcc-to-libbpf.zh.md"}
	readmes, err := filepath.Glob("*/README.zh.md")
	if err != nil || len(readmes) == 0 {
		t.Fatalf("no README.zh.md (%v)", err)
	}
	pages = append(pages, readmes...)
	code := regexp.MustCompile("(?s)```.*?```|`[^`\n]*`|\\]\\([^)]*\\)|<[^>\n]*>")
	// An English word on its own: not part of a name like trace-open.c or sys_enter_openat2/id.
	leftover := regexp.MustCompile(`(?:^|[^\w./-])(id|pid|uid|tid|on|namespace|channel|key|context|defer|fd|trace|permission denied)(?:[^\w./-]|$)`)
	for _, page := range pages {
		text := readPage(t, page)
		// Keep the lines where they are: blank out code, don't cut it.
		prose := code.ReplaceAllStringFunc(text, func(c string) string {
			return strings.Repeat("\n", strings.Count(c, "\n"))
		})
		for i, line := range strings.Split(prose, "\n") {
			for _, m := range leftover.FindAllStringSubmatch(line, -1) {
				t.Errorf("%s:%d: %q in the prose", page, i+1, m[1])
			}
		}
	}
}
