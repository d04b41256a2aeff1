package printk

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// Pipe reads trace_pipe, skipping the lines that were waiting in it before
// Mark (from another run stopped by --count, from another tool). `run`
// shares it with printk.
type Pipe struct {
	Path   string
	root   string
	r      *tracepipe.Reader
	marker string // "" once started
	Stale  uint64 // lines from before Mark, skipped
}

// OpenPipe opens trace_pipe under tracefs root. Open it before loading:
// trace_pipe takes one reader at a time.
func OpenPipe(root string) (*Pipe, error) {
	path := filepath.Join(root, "trace_pipe")
	r, err := tracepipe.Open(path)
	if err != nil {
		return nil, err
	}
	return &Pipe{Path: path, root: root, r: r}, nil
}

// Mark writes a marker now (after attaching): lines before it are skipped.
// On error every line is shown, older ones too.
func (p *Pipe) Mark() error {
	marker := "ebpf-hello start " + strconv.Itoa(os.Getpid())
	if err := writeMarker(p.root, marker); err != nil {
		return err
	}
	p.marker = marker
	return nil
}

// Next returns the next line written after Mark ("CPU:N [LOST M EVENTS]"
// lines included: the caller counts them).
func (p *Pipe) Next(ctx context.Context) (tracepipe.Line, error) {
	for {
		raw, err := p.r.Next(ctx)
		if err != nil {
			return tracepipe.Line{}, err
		}
		line := tracepipe.Parse(raw)
		if p.marker == "" {
			return line, nil
		}
		if line.Function == "tracing_mark_write" && line.Message == p.marker {
			p.marker = ""
		} else {
			p.Stale++
		}
	}
}

// Close releases trace_pipe for other readers.
func (p *Pipe) Close() error { return p.r.Close() }

// Printer prints trace_pipe lines in a Format (shared with `run`).
type Printer struct{ p *printer }

// NewPrinter prints to w in format f, field explanations in lang ("en" or "zh").
func NewPrinter(w io.Writer, f Format, lang string) *Printer {
	p := newPrinter(w, f)
	p.lang = lang
	return &Printer{p}
}

// Print prints one line (buffered: call Flush).
func (p *Printer) Print(l tracepipe.Line) error { return p.p.print(l) }

// Flush writes what Print buffered.
func (p *Printer) Flush() error { return p.p.flush() }
