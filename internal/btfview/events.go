package btfview

import (
	"io"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// TimeHeader is the column of the event timestamp, in seconds since the
// first event, as BCC's examples print it.
const TimeHeader = "TIME(s)"

// EventPrinter prints events of one layout: an aligned table (header from
// the field names, once) or one JSON object per line.
type EventPrinter struct {
	w       io.Writer
	layout  *Layout
	json    bool
	timeIdx int // field shown as TIME(s); -1 for none
	first   uint64
	started bool
	widths  []int // table: per column, TIME(s) first when there is one
	order   []int // table: field index per column (-1: TIME(s))
	buf     []byte
	rec     Record   // reused by Print
	frac    [20]byte // scratch for appendSeconds
}

// NewEventPrinter prints events of layout l to w, as JSON lines if json.
func NewEventPrinter(w io.Writer, l *Layout, json bool) *EventPrinter {
	p := &EventPrinter{w: w, layout: l, json: json, timeIdx: TimeField(l)}
	if p.timeIdx >= 0 {
		p.order = append(p.order, -1)
		p.widths = append(p.widths, 18)
	}
	for i, f := range l.Fields {
		if i == p.timeIdx {
			continue
		}
		p.order = append(p.order, i)
		p.widths = append(p.widths, max(len(header(f.Name)), width(f)))
	}
	return p
}

// TimeField returns the index of the field shown as TIME(s): the first u64
// named ts, timestamp, or ending in _ts or _ns (but not a duration: delta,
// latency, ...); -1 when there is none.
func TimeField(l *Layout) int {
	for i, f := range l.Fields {
		if f.Kind != KindUint || f.Size != 8 || f.BitSize != 0 {
			continue
		}
		name := strings.ToLower(f.Name[strings.LastIndex(f.Name, ".")+1:])
		if name == "ts" || name == "timestamp" || strings.HasSuffix(name, "_ts") || strings.HasSuffix(name, "_ns") {
			if strings.Contains(name, "delta") || strings.Contains(name, "lat") || strings.Contains(name, "dur") || strings.Contains(name, "elapsed") {
				continue
			}
			return i
		}
	}
	return -1
}

func header(name string) string {
	if name == "" {
		return "VALUE"
	}
	return textsafe.Escape(name)
}

// width is a column's usual width, so rows line up without knowing the
// values in advance (longer values push the row, never get cut).
func width(f Field) int {
	switch f.Meaning {
	case MeanIPv4, MeanIP:
		return 15 // 255.255.255.255; IPv6 pushes the row
	case MeanIPv6:
		return 39
	case MeanErrno:
		return 12 // -2 (ENOENT)
	case MeanSignal:
		return 12 // 10 (SIGUSR1)
	case MeanSyscall:
		return 10
	case MeanOpenFlags:
		return 18 // O_RDONLY|O_CLOEXEC
	case MeanTCPState:
		return 15
	}
	switch f.Kind {
	case KindUint, KindInt:
		switch {
		case f.Size <= 1:
			return 3
		case f.Size == 2:
			return 5
		case f.Size == 4:
			return 7
		}
		return 10
	case KindPointer:
		return 18
	case KindBool:
		return 5
	case KindEnum:
		w := 1
		for _, v := range f.Enum.Values {
			w = max(w, len(v.Name))
		}
		return min(w, 24)
	case KindText:
		return min(f.Len, 32)
	case KindFloat:
		return 12
	}
	return 16
}

// Print decodes one sample and prints it.
func (p *EventPrinter) Print(sample []byte) error {
	rec, err := p.layout.decodeInto(p.rec[:0], sample)
	if err != nil {
		return err
	}
	p.rec = rec
	return p.PrintRecord(rec)
}

// PrintRecord prints one decoded event.
//
// Rows are appended to one reused buffer, cell by cell, without a string
// per cell: under a flood this loop is what decides how many events per
// second run can show.
func (p *EventPrinter) PrintRecord(rec Record) error {
	b := p.buf[:0]
	if p.json {
		b = rec.AppendJSON(b)
		b = append(b, '\n')
	} else {
		if !p.started {
			for col, i := range p.order {
				start := len(b)
				if i < 0 {
					b = append(b, TimeHeader...)
				} else {
					b = append(b, header(rec[i].Name)...)
				}
				b = p.pad(b, col, len(b)-start)
			}
			b = append(b, '\n')
		}
		for col, i := range p.order {
			start := len(b)
			if i < 0 {
				b = p.appendSeconds(b, rec[p.timeIdx].Value.Uint)
			} else {
				b = rec[i].Value.AppendText(b)
			}
			b = p.pad(b, col, len(b)-start)
		}
		b = append(b, '\n')
	}
	p.started = true
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

// pad ends column col, whose cell took n bytes: spaces up to the column's
// width and one more; nothing after the last column.
func (p *EventPrinter) pad(b []byte, col, n int) []byte {
	if col == len(p.order)-1 {
		return b
	}
	for i := max(1, p.widths[col]-n+1); i > 0; i-- {
		b = append(b, ' ')
	}
	return b
}

// appendSeconds appends the seconds since the first event's timestamp
// (which may be later than this one's when CPUs deliver out of order: then
// negative), with nanosecond digits.
func (p *EventPrinter) appendSeconds(b []byte, ts uint64) []byte {
	if !p.started {
		p.first = ts
	}
	d := int64(ts - p.first)
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	b = strconv.AppendInt(b, d/1e9, 10)
	b = append(b, '.')
	frac := strconv.AppendInt(p.frac[:0], d%1e9, 10)
	for i := len(frac); i < 9; i++ {
		b = append(b, '0')
	}
	return append(b, frac...)
}
