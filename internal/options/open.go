package options

import (
	"errors"
	"fmt"

	"github.com/ebpf-hello/ebpf-hello/internal/output"
)

// Buffer kinds.
const (
	BufferPerf = "perf" // BPF perf event array, as the tutorial's BPF_PERF_OUTPUT
	BufferRing = "ring" // BPF ring buffer (kernel 5.8+)
)

// Default buffer sizes, in pages: perf buffers are per CPU, the ring buffer is shared.
const (
	DefaultPerfPages = 128  // 512 KiB per CPU
	DefaultRingPages = 1024 // 4 MiB
)

// Open are the settings of one `ebpf-hello open` run.
type Open struct {
	Attach    string // the way to attach: auto, kprobe, fentry or tracepoint
	Buffer    string // BufferPerf or BufferRing
	Pages     int    // buffer size in pages (power of two); 0 picks the default
	PID, TID  int    // filters; 0 means any
	UID       int    // filter; -1 means any
	Comm      string // filter; "" means any
	Failed    bool   // only failed opens
	EntryOnly bool   // read the name at entry, as the tutorial does
	Limits
	Output output.OpenOptions
}

// Validate checks values and combinations, and fills in defaults.
func (o *Open) Validate() error {
	switch o.Buffer {
	case BufferPerf, BufferRing:
	default:
		return fmt.Errorf("invalid --buffer %q: want perf or ring", o.Buffer)
	}
	if o.Pages == 0 {
		o.Pages = DefaultPerfPages
		if o.Buffer == BufferRing {
			o.Pages = DefaultRingPages
		}
	}
	if err := checkPages(o.Pages); err != nil {
		return err
	}
	if err := checkIDs(o.PID, o.TID, o.UID); err != nil {
		return err
	}
	o.Comm = cutComm(o.Comm)
	if o.Failed && o.EntryOnly {
		return errors.New("--failed needs the return value, which --entry-only does not read")
	}
	if o.Output.ShowErrors && o.EntryOnly {
		return errors.New("--errors needs the return value, which --entry-only does not read")
	}
	return o.Limits.Validate()
}
