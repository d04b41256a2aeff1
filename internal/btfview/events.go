package btfview

import (
	"fmt"
	"io"
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
	rec, err := p.layout.Decode(sample)
	if err != nil {
		return err
	}
	return p.PrintRecord(rec)
}

// PrintRecord prints one decoded event.
func (p *EventPrinter) PrintRecord(rec Record) error {
	b := p.buf[:0]
	if p.json {
		b = rec.AppendJSON(b)
		b = append(b, '\n')
	} else {
		if !p.started {
			b = p.appendRow(b, func(i int) []byte {
				if i < 0 {
					return []byte(TimeHeader)
				}
				return []byte(header(rec[i].Name))
			})
		}
		b = p.appendRow(b, func(i int) []byte {
			if i < 0 {
				return p.seconds(rec[p.timeIdx].Value.Uint)
			}
			return rec[i].Value.AppendText(nil)
		})
	}
	p.started = true
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

func (p *EventPrinter) appendRow(b []byte, cell func(field int) []byte) []byte {
	for col, i := range p.order {
		c := cell(i)
		b = append(b, c...)
		if col < len(p.order)-1 {
			b = append(b, strings.Repeat(" ", max(1, p.widths[col]-len(c)+1))...)
		}
	}
	return append(b, '\n')
}

// seconds since the first event's timestamp (which may be later than this
// one's when CPUs deliver out of order: then negative).
func (p *EventPrinter) seconds(ts uint64) []byte {
	if !p.started {
		p.first = ts
	}
	d := int64(ts - p.first)
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	return []byte(fmt.Sprintf("%s%d.%09d", sign, d/1e9, d%1e9))
}
