package probe

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"

	bpf "github.com/aquasecurity/libbpfgo"

	"github.com/ebpf-hello/ebpf-hello/internal/lang"
	"github.com/ebpf-hello/ebpf-hello/internal/verifierhelp"
)

// Verbose, when set, receives every libbpf message (for --verbose).
var Verbose func(msg string)

// logs collects libbpf's messages while an object loads, so a verifier
// rejection can be shown with the verifier's own words. libbpf has a single
// global print callback, hence a single global collector.
var logs collector

var installOnce sync.Once

func installLogger() {
	installOnce.Do(func() {
		bpf.SetLoggerCbs(bpf.Callbacks{Log: func(level int, msg string) {
			if Verbose != nil {
				Verbose(strings.TrimRight(msg, "\n"))
			}
			logs.add(level, msg)
		}})
	})
}

type collector struct {
	mu        sync.Mutex
	recording bool
	lines     []string
}

func (c *collector) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recording, c.lines = true, nil
}

func (c *collector) stop() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recording = false
	lines := c.lines
	c.lines = nil
	return lines
}

func (c *collector) add(level int, msg string) {
	if level == bpf.LibbpfDebugLevel {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recording {
		c.lines = append(c.lines, strings.Split(strings.TrimRight(msg, "\n"), "\n")...)
	}
}

// VerifierError is a BPF program the kernel's verifier rejected.
type VerifierError struct {
	Program string   // C function name, when libbpf said it
	Tail    []string // the verifier log's last lines
	Log     []string // the whole verifier log (--verbose prints it too, among libbpf's messages)
	Err     error
	// Lang is the language of the explanation and the heading: "en" or
	// "zh". "" follows the locale (LC_ALL, LC_MESSAGES, LANG) as doctor does.
	Lang string
}

// Explain says what the verifier refused in one sentence, with the usual
// fix and the learner's file and line (see internal/verifierhelp); false
// when the log is not one it recognises.
func (e *VerifierError) Explain() (verifierhelp.Explanation, bool) {
	lang := e.lang()
	if x, ok := verifierhelp.Explain(e.Log, lang); ok {
		return x, true
	}
	if errors.Is(e.Err, syscall.E2BIG) { // too big or too complex to verify
		return verifierhelp.TooLarge(e.Log, lang), true
	}
	return verifierhelp.Explanation{}, false
}

func (e *VerifierError) lang() string {
	if e.Lang != "" {
		return e.Lang
	}
	return lang.Pick("")
}

// Error is "FILE:LINE: what is wrong and the usual fix" when the failure
// is a known one, then the verifier's last lines.
func (e *VerifierError) Error() string {
	var b strings.Builder
	if x, ok := e.Explain(); ok {
		b.WriteString(x.String() + "\n")
	}
	heading := "the kernel's verifier rejected BPF program %s (%s); its last lines:"
	if e.lang() == "zh" {
		heading = "内核的验证器拒绝了 BPF 程序 %s（%s），日志的最后几行："
	}
	fmt.Fprintf(&b, heading, e.Program, errnoText(e.Err))
	for _, line := range e.Tail {
		b.WriteString("\n    " + line)
	}
	return b.String()
}

func (e *VerifierError) Unwrap() error { return e.Err }

// verifierTailLines is how much of the verifier log an error shows: the end is where the reason is.
const verifierTailLines = 8

// verifierError finds libbpf's "-- BEGIN PROG LOAD LOG --" block in lines.
func verifierError(lines []string, err error) *VerifierError {
	var logLines []string
	program := "?"
	in := false
	for _, line := range lines {
		switch {
		case strings.Contains(line, "-- BEGIN PROG LOAD LOG --"):
			in, logLines = true, nil
		case strings.Contains(line, "-- END PROG LOAD LOG --"):
			in = false
		case in:
			if strings.TrimSpace(line) != "" {
				logLines = append(logLines, line)
			}
		case strings.Contains(line, "prog '"):
			// "libbpf: prog 'open_kprobe': BPF program load failed: Permission denied"
			if start := strings.Index(line, "prog '"); start >= 0 {
				rest := line[start+len("prog '"):]
				if end := strings.IndexByte(rest, '\''); end > 0 {
					program = rest[:end]
				}
			}
		}
	}
	if len(logLines) == 0 {
		return nil
	}
	tail := logLines
	if len(tail) > verifierTailLines {
		tail = tail[len(tail)-verifierTailLines:]
	}
	return &VerifierError{Program: program, Tail: tail, Log: logLines, Err: err}
}
