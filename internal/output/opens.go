package output

import (
	"io"
	"strconv"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// OpenOptions choose what the open printer shows.
type OpenOptions struct {
	JSON       bool   // one JSON object per event instead of the table
	ShowTID    bool   // add a TID column to the table
	ShowErrors bool   // add FD and ERR columns to the table
	Attach     string // attach mode, reported in JSON
	// PIDNamespace: ids are a PID namespace's (bpf/pidns.h): 0 is a task
	// outside it, shown as "-"; JSON adds the host's ids.
	PIDNamespace bool
}

// OpenPrinter prints file opens as the tutorial does,
//
//	TIME(s)            COMM             PID    FILE
//	0.000000000        cat              1234   /etc/hosts
//
// with time in seconds relative to the first event, or as JSON lines.
//
// Comm and file names are chosen by whoever opened the file: both are
// escaped by textsafe (a newline shows as \n, ESC as \x1b, a byte that is
// not UTF-8 as \xff, a backslash as \\), in the table and in JSON alike,
// so no name can forge a row or reach the terminal, and two different names
// never print the same. A name cut to the event's buffer ends in
// textsafe.CutMark in the table, and has "file_cut":true in JSON.
type OpenPrinter struct {
	lines // the output held, and the count of events written
	opts  OpenOptions
	first uint64 // ts_ns of the first event; 0 until one arrives
}

// NewOpenPrinter returns a printer writing to w.
func NewOpenPrinter(w io.Writer, opts OpenOptions) *OpenPrinter {
	return &OpenPrinter{lines: newLines(w), opts: opts}
}

// Header writes the table header (nothing in JSON mode).
func (p *OpenPrinter) Header() error {
	if p.opts.JSON {
		return nil
	}
	b := cell(p.out, "TIME(s)", 18)
	b = cell(b, "COMM", 16)
	b = cell(b, "PID", 6)
	if p.opts.ShowTID {
		b = cell(b, "TID", 6)
	}
	if p.opts.ShowErrors {
		b = cell(b, "FD", 4)
		b = cell(b, "ERR", 3)
	}
	p.out = append(b, "FILE\n"...)
	p.header++
	return nil
}

// Print writes one event.
func (p *OpenPrinter) Print(o *event.Open) error {
	if p.first == 0 {
		p.first = o.TsNs
	}
	var rel uint64
	if o.TsNs > p.first { // per-CPU buffers can deliver a slightly older event later
		rel = o.TsNs - p.first
	}
	if p.opts.JSON {
		p.out = p.appendJSON(p.out, o, rel)
	} else {
		p.out = p.appendRow(p.out, o, rel)
	}
	return p.added()
}

func (p *OpenPrinter) appendRow(b []byte, o *event.Open, rel uint64) []byte {
	start := len(b)
	b = appendSeconds(b, rel)
	b = pad(b, start, 18)
	b = escapedCell(b, o.Comm, 16)
	start = len(b)
	b = pad(appendID(b, o.PID, p.opts.PIDNamespace), start, 6)
	if p.opts.ShowTID {
		start = len(b)
		b = pad(appendID(b, o.TID, p.opts.PIDNamespace), start, 6)
	}
	if p.opts.ShowErrors {
		fd, errno := FDAndErr(o)
		start = len(b)
		b = pad(strconv.AppendInt(b, int64(fd), 10), start, 4)
		start = len(b)
		b = pad(strconv.AppendInt(b, int64(errno), 10), start, 3)
	}
	b = appendFile(b, o)
	return append(b, '\n')
}

func (p *OpenPrinter) appendJSON(b []byte, o *event.Open, rel uint64) []byte {
	b = append(b, `{"time_s":`...)
	b = appendSeconds(b, rel)
	b = append(b, `,"ts_ns":`...)
	b = strconv.AppendUint(b, o.TsNs, 10)
	b = append(b, `,"pid":`...)
	b = strconv.AppendUint(b, uint64(o.PID), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendUint(b, uint64(o.TID), 10)
	if p.opts.PIDNamespace {
		b = append(b, `,"host_pid":`...)
		b = strconv.AppendUint(b, uint64(o.HostPID), 10)
		b = append(b, `,"host_tid":`...)
		b = strconv.AppendUint(b, uint64(o.HostTID), 10)
	}
	b = append(b, `,"uid":`...)
	b = strconv.AppendUint(b, uint64(o.UID), 10)
	b = append(b, `,"comm":`...)
	b = textsafe.AppendJSON(b, textsafe.Escape(o.Comm))
	b = append(b, `,"file":`...)
	b = textsafe.AppendJSON(b, textsafe.Escape(o.FileOrError()))
	if o.NameCut {
		b = append(b, `,"file_cut":true`...)
	}
	if o.NameErr != 0 {
		b = append(b, `,"name_error":`...)
		b = strconv.AppendInt(b, int64(o.NameErr), 10)
	}
	if o.HasRet {
		fd, errno := FDAndErr(o)
		b = append(b, `,"fd":`...)
		b = strconv.AppendInt(b, int64(fd), 10)
		b = append(b, `,"err":`...)
		b = strconv.AppendInt(b, int64(errno), 10)
	}
	b = append(b, `,"attach":`...)
	b = textsafe.AppendJSON(b, p.opts.Attach)
	return append(b, "}\n"...)
}

// FDAndErr splits an open's return value the way opensnoop shows it:
// fd -1 and a positive errno for a failure, the fd and 0 for a success.
func FDAndErr(o *event.Open) (fd, errno int32) {
	if o.Ret < 0 {
		return -1, -o.Ret
	}
	return o.Ret, 0
}

// appendID writes a process or thread id; in a PID namespace, 0 (a task
// outside it, which has no id there) as "-".
func appendID(b []byte, id uint32, inNamespace bool) []byte {
	if id == 0 && inNamespace {
		return append(b, '-')
	}
	return strconv.AppendUint(b, uint64(id), 10)
}

// appendSeconds writes ns as seconds with 9 decimals, without float rounding.
func appendSeconds(b []byte, ns uint64) []byte {
	b = strconv.AppendUint(b, ns/1e9, 10)
	b = append(b, '.')
	frac := ns % 1e9
	for div := uint64(1e8); div > 0; div /= 10 {
		b = append(b, byte('0'+frac/div%10))
	}
	return b
}

// appendFile appends the escaped file name, marked when it was cut.
func appendFile(b []byte, o *event.Open) []byte {
	b = textsafe.Append(b, o.FileOrError())
	if o.NameCut {
		b = append(b, textsafe.CutMark...)
	}
	return b
}

// escapedCell is cell for a name from another user: escaped first.
func escapedCell(b []byte, text string, width int) []byte {
	start := len(b)
	return pad(textsafe.Append(b, text), start, width)
}

// cell appends text as a column width wide.
func cell(b []byte, text string, width int) []byte {
	start := len(b)
	return pad(append(b, text...), start, width)
}

// pad fills b with spaces so the column that began at start is width wide,
// then adds the one-space gap between columns (like Python's "%-18s ").
func pad(b []byte, start, width int) []byte {
	for len(b)-start < width {
		b = append(b, ' ')
	}
	return append(b, ' ')
}
