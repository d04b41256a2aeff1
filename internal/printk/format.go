package printk

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// Format is how trace_pipe lines are printed.
type Format string

// The formats.
const (
	Fields Format = "fields" // each line, then its fields explained (the tutorial's list)
	Table  Format = "table"  // one aligned row per line, a column per field
	Raw    Format = "raw"    // as the kernel wrote it
	JSON   Format = "json"   // one JSON object per line
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Fields, Table, Raw, JSON:
		return f, nil
	}
	return "", fmt.Errorf("invalid --format %q: want fields, table, raw or json", s)
}

type printer struct {
	w      *bufio.Writer
	format Format
	header bool // table header written
}

func newPrinter(w io.Writer, f Format) *printer {
	return &printer{w: bufio.NewWriter(w), format: f}
}

func (p *printer) flush() error { return p.w.Flush() }

func (p *printer) print(l tracepipe.Line) error {
	var err error
	switch {
	case p.format == Raw:
		_, err = fmt.Fprintln(p.w, l.Raw)
	case p.format == JSON:
		var b []byte
		if b, err = json.Marshal(l); err == nil {
			_, err = p.w.Write(append(b, '\n'))
		}
	case !l.Parsed:
		_, err = fmt.Fprintf(p.w, "%s\n", l.Raw) // unknown shape: shown as is, never dropped
	case p.format == Table:
		err = p.row(l)
	default:
		err = p.explain(l)
	}
	return err
}

const tableFormat = "%-16s %-7s %-3s %-5s %-14s %-16s %s\n"

func (p *printer) row(l tracepipe.Line) error {
	if !p.header {
		p.header = true
		if _, err := fmt.Fprintf(p.w, tableFormat, "TASK", "PID", "CPU", "FLAGS", "TIMESTAMP", "FUNCTION", "MESSAGE"); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(p.w, tableFormat, l.Task, fmt.Sprint(l.PID), fmt.Sprint(l.CPU), l.Flags, l.Timestamp, l.Function, l.Message)
	return err
}

// explain prints the line, then each field the tutorial lists, with its meaning.
func (p *printer) explain(l tracepipe.Line) error {
	task := "the task (thread) name, from its comm"
	if l.Task == "<...>" {
		task = "the task name was not recorded (the kernel shows <...>)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", strings.TrimSpace(l.Raw))
	field := func(name, value, meaning string) {
		fmt.Fprintf(&b, "    %-10s %-18s %s\n", name, value, meaning)
	}
	field("task", l.Task, task)
	field("pid", fmt.Sprint(l.PID), "the thread id the kernel ran (it calls it pid)")
	if l.TGID != 0 {
		field("tgid", fmt.Sprint(l.TGID), "the process id (record-tgid is on)")
	}
	field("cpu", fmt.Sprintf("[%03d]", l.CPU), "the CPU it ran on")
	field("flags", l.Flags, strings.Join(tracepipe.ExplainFlags(l.Flags), ", "))
	field("timestamp", l.Timestamp, "seconds since boot, by the trace clock")
	field("function", l.Function, functionMeaning(l.Function))
	field("message", l.Message, "what the program printed")
	_, err := io.WriteString(p.w, b.String())
	return err
}

func functionMeaning(f string) string {
	switch {
	case f == "bpf_trace_printk":
		return "the event: written by the bpf_trace_printk helper"
	case f == "0" || strings.HasPrefix(f, "0x"):
		return "before kernel 5.9, bpf_trace_printk lines carry an address here"
	case f == "tracing_mark_write":
		return "written to trace_marker by a user program"
	}
	return "the event that wrote the line"
}
