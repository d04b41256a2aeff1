package output

import (
	"io"
	"strconv"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// ExecOptions choose what the exec printer shows.
type ExecOptions struct {
	JSON   bool   // one JSON object per event instead of the table
	Attach string // attach mode, reported in JSON
	// PIDNamespace: ids are a PID namespace's (bpf/pidns.h): 0 is a task
	// outside it, shown as "-"; JSON adds the host's ids.
	PIDNamespace bool
}

// ExecPrinter prints process executions as execsnoop does,
//
//	TIME(s)            PCOMM            PID     PPID    RET ARGS
//	0.000000000        ls               4242    4100    0   /usr/bin/ls -l /tmp
//
// ARGS is the path given to exec followed by argv[1:] (argv[0] when the
// path is unreadable or empty), each escaped by textsafe: an argument with
// a newline or an escape sequence cannot forge a row or drive the terminal.
// An argument cut to the event's buffer ends in textsafe.CutMark, and a
// lone CutMark at the end means arguments were left out (an argument's own
// backslash prints as \\, so the mark cannot be forged). JSON has the
// path and the whole argv apart.
type ExecPrinter struct {
	lines // the output held, and the count of events written
	opts  ExecOptions
	first uint64 // ts_ns of the first event; 0 until one arrives
}

// NewExecPrinter returns a printer writing to w.
func NewExecPrinter(w io.Writer, opts ExecOptions) *ExecPrinter {
	return &ExecPrinter{lines: newLines(w), opts: opts}
}

// Header writes the table header (nothing in JSON mode).
func (p *ExecPrinter) Header() error {
	if p.opts.JSON {
		return nil
	}
	b := cell(p.out, "TIME(s)", 18)
	b = cell(b, "PCOMM", 16)
	b = cell(b, "PID", 7)
	b = cell(b, "PPID", 7)
	b = cell(b, "RET", 3)
	p.out = append(b, "ARGS\n"...)
	p.header++
	return nil
}

// Print buffers one event (call Flush).
func (p *ExecPrinter) Print(e *event.Exec) error {
	if p.first == 0 {
		p.first = e.TsNs
	}
	var rel uint64
	if e.TsNs > p.first {
		rel = e.TsNs - p.first
	}
	if p.opts.JSON {
		p.out = p.appendJSON(p.out, e, rel)
	} else {
		p.out = appendExecRow(p.out, e, rel, p.opts.PIDNamespace)
	}
	return p.added()
}

func appendExecRow(b []byte, e *event.Exec, rel uint64, inNamespace bool) []byte {
	start := len(b)
	b = pad(appendSeconds(b, rel), start, 18)
	b = escapedCell(b, e.Comm, 16)
	start = len(b)
	b = pad(appendID(b, e.PID, inNamespace), start, 7)
	start = len(b)
	b = pad(appendID(b, e.PPID, inNamespace), start, 7)
	start = len(b)
	b = pad(strconv.AppendInt(b, int64(e.Ret), 10), start, 3)
	return append(appendCommandLine(b, e), '\n')
}

// appendCommandLine appends ARGS: the path, then argv[1:], escaped and marked.
func appendCommandLine(b []byte, e *event.Exec) []byte {
	first := 1
	switch {
	case e.File != "" && !e.FileUnreadable:
		b = textsafe.Append(b, e.File)
		if e.FileCut {
			b = append(b, textsafe.CutMark...)
		}
	case len(e.Args) > 0:
		first = 0 // no path: argv[0] says what ran
	default:
		b = append(b, "<path unreadable>"...)
	}
	for i := first; i < len(e.Args); i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = textsafe.Append(b, e.Args[i])
		if e.ArgCut[i] {
			b = append(b, textsafe.CutMark...)
		}
	}
	if e.ArgsMore {
		b = append(append(b, ' '), textsafe.CutMark...)
	}
	if e.ArgsUnreadable {
		b = append(b, " <arguments unreadable>"...)
	}
	return b
}

func (p *ExecPrinter) appendJSON(b []byte, e *event.Exec, rel uint64) []byte {
	b = append(b, `{"time_s":`...)
	b = appendSeconds(b, rel)
	b = append(b, `,"ts_ns":`...)
	b = strconv.AppendUint(b, e.TsNs, 10)
	b = append(b, `,"pid":`...)
	b = strconv.AppendUint(b, uint64(e.PID), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendUint(b, uint64(e.TID), 10)
	b = append(b, `,"ppid":`...)
	b = strconv.AppendUint(b, uint64(e.PPID), 10)
	if p.opts.PIDNamespace {
		b = append(b, `,"host_pid":`...)
		b = strconv.AppendUint(b, uint64(e.HostPID), 10)
		b = append(b, `,"host_ppid":`...)
		b = strconv.AppendUint(b, uint64(e.HostPPID), 10)
	}
	b = append(b, `,"uid":`...)
	b = strconv.AppendUint(b, uint64(e.UID), 10)
	b = append(b, `,"comm":`...)
	b = textsafe.AppendJSON(b, textsafe.Escape(e.Comm))
	b = append(b, `,"ret":`...)
	b = strconv.AppendInt(b, int64(e.Ret), 10)
	b = append(b, `,"file":`...)
	b = textsafe.AppendJSON(b, textsafe.Escape(e.File))
	if e.FileCut {
		b = append(b, `,"file_cut":true`...)
	}
	if e.FileUnreadable {
		b = append(b, `,"file_unreadable":true`...)
	}
	b = append(b, `,"args":[`...)
	var cut []byte
	for i, a := range e.Args {
		if i > 0 {
			b = append(b, ',')
		}
		b = textsafe.AppendJSON(b, textsafe.Escape(a))
		if e.ArgCut[i] {
			if len(cut) > 0 {
				cut = append(cut, ',')
			}
			cut = strconv.AppendInt(cut, int64(i), 10)
		}
	}
	b = append(b, ']')
	if len(cut) > 0 {
		b = append(b, `,"args_cut":[`...)
		b = append(append(b, cut...), ']')
	}
	if e.ArgsMore {
		b = append(b, `,"args_more":true`...)
	}
	if e.ArgsUnreadable {
		b = append(b, `,"args_unreadable":true`...)
	}
	b = append(b, `,"attach":`...)
	b = textsafe.AppendJSON(b, p.opts.Attach)
	return append(b, "}\n"...)
}
