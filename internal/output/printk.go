package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// PrintkFormat is how trace_pipe lines are printed.
type PrintkFormat string

// The formats.
const (
	PrintkFields PrintkFormat = "fields" // each line, then its fields explained (the tutorial's list)
	PrintkTable  PrintkFormat = "table"  // one aligned row per line, a column per field
	PrintkRaw    PrintkFormat = "raw"    // as the kernel wrote it
	PrintkJSON   PrintkFormat = "json"   // one JSON object per line
)

// ParsePrintkFormat checks a --format value.
func ParsePrintkFormat(s string) (PrintkFormat, error) {
	switch f := PrintkFormat(s); f {
	case PrintkFields, PrintkTable, PrintkRaw, PrintkJSON:
		return f, nil
	}
	return "", fmt.Errorf("invalid --format %q: want fields, table, raw or json", s)
}

// PrintkPrinter prints trace_pipe lines (printk, and run's bpf_printk output).
type PrintkPrinter struct {
	w      *bufio.Writer
	format PrintkFormat
	lang   string // of the field explanations: "en" or "zh"
	header bool   // table header written
	// flagsWidth is the table's FLAGS column: 5 characters (mainline),
	// or 7 when the first line has PREEMPT_RT's longer layout.
	flagsWidth int
}

// NewPrintkPrinter prints to w in format f, field explanations in lang ("en" or "zh").
func NewPrintkPrinter(w io.Writer, f PrintkFormat, lang string) *PrintkPrinter {
	return &PrintkPrinter{w: bufio.NewWriter(w), format: f, lang: lang}
}

func (p *PrintkPrinter) Flush() error { return p.w.Flush() }

// Print writes one line (buffered: call Flush). trace_pipe text comes from other users (a task's
// comm, a message built from a file name): every format escapes it with
// textsafe, JSON included, so nothing reaches the terminal raw and JSON
// stays valid and lossless (textsafe.Unescape gives the bytes back).
func (p *PrintkPrinter) Print(l tracepipe.Line) error {
	l = escaped(l)
	var err error
	switch {
	case p.format == PrintkRaw:
		_, err = fmt.Fprintln(p.w, l.Raw)
	case p.format == PrintkJSON:
		var b []byte
		if b, err = json.Marshal(l); err == nil {
			_, err = p.w.Write(append(b, '\n'))
		}
	case !l.Parsed:
		_, err = fmt.Fprintf(p.w, "%s\n", l.Raw) // unknown shape: shown escaped, never dropped
	case p.format == PrintkTable:
		err = p.row(l)
	default:
		err = p.explain(l)
	}
	return err
}

// escaped returns l with every text field escaped.
func escaped(l tracepipe.Line) tracepipe.Line {
	for _, s := range []*string{&l.Raw, &l.Task, &l.Flags, &l.Timestamp, &l.Function, &l.Message} {
		*s = textsafe.Escape(*s)
	}
	return l
}

// tableFormat takes the FLAGS column's width before its value.
const tableFormat = "%-16s %-7s %-3s %-*s %-14s %-16s %s\n"

func (p *PrintkPrinter) row(l tracepipe.Line) error {
	if !p.header {
		p.header = true
		p.flagsWidth = max(len("FLAGS"), len(l.Flags)) // one kernel, one layout: the first line tells
		if _, err := fmt.Fprintf(p.w, tableFormat, "TASK", "PID", "CPU", p.flagsWidth, "FLAGS", "TIMESTAMP", "FUNCTION", "MESSAGE"); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(p.w, tableFormat, l.Task, fmt.Sprint(l.PID), fmt.Sprint(l.CPU), p.flagsWidth, l.Flags, l.Timestamp, l.Function, l.Message)
	return err
}

// explain prints the line, then each field the tutorial lists, with its
// meaning, in the printer's language (the Chinese texts are in printk_zh.go).
func (p *PrintkPrinter) explain(l tracepipe.Line) error {
	t := explainTexts(p.lang)
	task := t.task
	if l.Task == "<...>" {
		task = t.taskUnknown
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", strings.TrimSpace(l.Raw))
	field := func(name, value, meaning string) {
		fmt.Fprintf(&b, "    %-10s %-18s %s\n", name, value, meaning)
	}
	field("task", l.Task, task)
	field("pid", fmt.Sprint(l.PID), t.pid)
	if l.TGID != 0 {
		field("tgid", fmt.Sprint(l.TGID), t.tgid)
	}
	field("cpu", fmt.Sprintf("[%03d]", l.CPU), t.cpu)
	flags := tracepipe.ExplainFlags(l.Flags)
	for i := range flags {
		flags[i] = t.flag(flags[i])
	}
	if l.Flags != "" { // no column at all when the irq-info option is off
		field("flags", l.Flags, strings.Join(flags, t.listSep))
	}
	field("timestamp", l.Timestamp, t.timestamp)
	field("function", l.Function, t.function(l.Function))
	field("message", l.Message, t.message)
	_, err := io.WriteString(p.w, b.String())
	return err
}

// texts are the field explanations in one language.
type texts struct {
	task, taskUnknown, pid, tgid, cpu, timestamp, message string
	printk, oldAddress, marker, otherEvent                string
	listSep                                               string
	flagPhrases                                           []phrase // English phrase → this language
}

// phrase is one English phrase of tracepipe.ExplainFlags and its translation.
type phrase struct{ en, text string }

var english = texts{
	task:        "the task (thread) name, from its comm",
	taskUnknown: "the task name was not recorded (the kernel shows <...>)",
	pid:         "the thread id the kernel ran (it calls it pid)",
	tgid:        "the process id (record-tgid is on)",
	cpu:         "the CPU it ran on",
	timestamp:   "seconds since boot, by the trace clock",
	message:     "what the program printed",
	printk:      "the event: written by the bpf_trace_printk helper",
	oldAddress:  "before kernel 5.9, bpf_trace_printk lines carry an address here",
	marker:      "written to trace_marker by a user program",
	otherEvent:  "the event that wrote the line",
	listSep:     ", ",
}

// explainTexts returns the texts for lang ("zh" or anything else: English).
func explainTexts(lang string) texts {
	if lang == "zh" {
		return chinese
	}
	return english
}

func (t texts) function(f string) string {
	switch {
	case f == "bpf_trace_printk":
		return t.printk
	case f == "0" || strings.HasPrefix(f, "0x"):
		return t.oldAddress
	case f == "tracing_mark_write":
		return t.marker
	}
	return t.otherEvent
}

// flag translates one of tracepipe.ExplainFlags' phrases; the first
// matching English start is replaced, the rest (a depth, a value) kept.
func (t texts) flag(s string) string {
	for _, p := range t.flagPhrases {
		if rest, ok := strings.CutPrefix(s, p.en); ok {
			return p.text + rest
		}
	}
	return s
}
