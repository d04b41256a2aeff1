package tracepipe

import (
	"regexp"
	"strconv"
	"strings"
)

// Line is one trace_pipe line.
type Line struct {
	Raw    string `json:"raw"`    // as the kernel wrote it
	Parsed bool   `json:"parsed"` // false: the fields below are empty, show Raw
	Task   string `json:"task,omitempty"`
	PID    int    `json:"pid,omitempty"`  // the thread the kernel ran (its "pid")
	TGID   int    `json:"tgid,omitempty"` // the process, only with the record-tgid option
	CPU    int    `json:"cpu"`
	Flags  string `json:"flags,omitempty"`
	// Timestamp is as printed: seconds since boot with the default clock.
	Timestamp string `json:"timestamp,omitempty"`
	// Function is the label before the message: "bpf_trace_printk", or
	// before 5.9 an address ("0:", "0x00000001:"), or another event's name.
	Function   string `json:"function,omitempty"`
	Message    string `json:"message,omitempty"`
	LostEvents int    `json:"lost_events,omitempty"` // for "CPU:N [LOST M EVENTS]"
}

// lineRE splits "comm-pid [(tgid)] [cpu] flags timestamp: rest".
// The comm is matched lazily, so the split happens at the first "-digits"
// that is followed by the [cpu] field: comms may hold spaces, colons and
// dashes ("tmux: server-27663", "kworker/0:1-12").
var lineRE = regexp.MustCompile(`^\s*(.+?)-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(\S+)\s+(\d+(?:\.\d+)?):\s?(.*)$`)

// lostRE matches the marker the kernel writes when a per-CPU buffer overflowed.
var lostRE = regexp.MustCompile(`^CPU:(\d+) \[LOST (\d+) EVENTS\]$`)

// Parse splits one line (a trailing newline is ignored).
func Parse(s string) Line {
	s = strings.TrimRight(s, "\r\n")
	l := Line{Raw: s}
	if m := lostRE.FindStringSubmatch(s); m != nil {
		l.CPU, _ = strconv.Atoi(m[1])
		l.LostEvents, _ = strconv.Atoi(m[2])
		return l
	}
	m := lineRE.FindStringSubmatch(s)
	if m == nil {
		return l
	}
	l.Parsed = true
	l.Task = strings.TrimSpace(m[1])
	l.PID, _ = strconv.Atoi(m[2])
	l.TGID, _ = strconv.Atoi(m[3]) // "-------" (unknown) stays 0
	l.CPU, _ = strconv.Atoi(m[4])
	l.Flags = m[5]
	l.Timestamp = m[6]
	l.Function, l.Message = splitLabel(m[7])
	return l
}

// splitLabel cuts "label: message". Old kernels may print an empty label.
func splitLabel(rest string) (label, message string) {
	if strings.HasPrefix(rest, ": ") {
		return "", rest[2:]
	}
	if label, message, ok := strings.Cut(rest, ": "); ok && !strings.Contains(label, " ") {
		return label, message
	}
	if label, ok := strings.CutSuffix(rest, ":"); ok && !strings.Contains(label, " ") {
		return label, ""
	}
	return "", rest
}

// IsBPFPrintk reports whether the line was written by bpf_trace_printk.
func (l Line) IsBPFPrintk() bool {
	if l.Function == "bpf_trace_printk" || l.Function == "0" {
		return true
	}
	if hex, ok := strings.CutPrefix(l.Function, "0x"); ok && hex != "" {
		_, err := strconv.ParseUint(hex, 16, 64)
		return err == nil
	}
	return false
}
