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

// The kernel prints a line's context as "%16s-%-7d " (trace_print_context):
// the task's comm, at most 15 bytes (TASK_COMM_LEN - 1), right-aligned in
// 16 columns, then '-' and the pid. So the '-' that ends the comm is always
// byte 16, whatever the comm holds: a process named "x-1 [0] . 9: y" cannot
// pass for task "x", pid 1. Lines of any other shape are not split.
const commWidth = 16

// restRE splits what follows the comm: "pid [(tgid)] [cpu] [flags] timestamp: rest".
// The flags column is absent when the irq-info option is off.
var restRE = regexp.MustCompile(`^(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(?:(\S+)\s+)?(\d+(?:\.\d+)?):\s?(.*)$`)

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
	if len(s) <= commWidth || s[commWidth] != '-' {
		return l
	}
	m := restRE.FindStringSubmatch(s[commWidth+1:])
	if m == nil {
		return l
	}
	l.Parsed = true
	l.Task = strings.TrimLeft(s[:commWidth], " ") // the padding; a comm's own leading spaces go too
	l.PID, _ = strconv.Atoi(m[1])
	l.TGID, _ = strconv.Atoi(m[2]) // "-------" (unknown) stays 0
	l.CPU, _ = strconv.Atoi(m[3])
	l.Flags = m[4]
	l.Timestamp = m[5]
	l.Function, l.Message = splitLabel(m[6])
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
