package probe

import (
	"fmt"
	"strings"
	"sync"

	bpf "github.com/aquasecurity/libbpfgo"
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
	Err     error
}

func (e *VerifierError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the kernel's verifier rejected BPF program %s (%s); its last lines:", e.Program, errnoText(e.Err))
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
	if len(logLines) > verifierTailLines {
		logLines = logLines[len(logLines)-verifierTailLines:]
	}
	return &VerifierError{Program: program, Tail: logLines, Err: err}
}
