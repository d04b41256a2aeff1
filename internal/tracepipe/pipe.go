package tracepipe

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
)

// Pipe reads trace_pipe, skipping the lines that were waiting in it before
// Mark (from another run stopped by --count, from another tool). printk
// and run read it.
type Pipe struct {
	Path   string
	root   string
	r      *Reader
	marker string // "" once started
	Stale  uint64 // lines from before Mark, skipped
}

// OpenPipe opens trace_pipe under tracefs root. Open it before loading:
// trace_pipe takes one reader at a time.
func OpenPipe(root string) (*Pipe, error) {
	path := filepath.Join(root, "trace_pipe")
	r, err := Open(path)
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
func (p *Pipe) Next(ctx context.Context) (Line, error) {
	for {
		raw, err := p.r.Next(ctx)
		if err != nil {
			return Line{}, err
		}
		line := Parse(raw)
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

func writeMarker(root, text string) error {
	f, err := os.OpenFile(filepath.Join(root, "trace_marker"), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(text)
	return err
}
