package printk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// Run loads hello.bpf.c and prints trace_pipe lines until ctx is cancelled,
// Count lines were printed or Duration passed.
func Run(ctx context.Context, opts options.Printk, stdout, stderr io.Writer) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if err := kernel.CheckPrivileges(); err != nil {
		return err
	}
	notify := func(msg string) { fmt.Fprintln(stderr, "ebpf-hello: "+msg) }

	root, err := tracefs.Ensure(notify)
	if err != nil {
		return fmt.Errorf("printk output is read from tracefs, which is unavailable: %w", err)
	}
	pipe, err := tracepipe.OpenPipe(root)
	if err != nil {
		return err
	}
	defer pipe.Close()

	loaded, err := probe.Load(builtins.Hello(), probe.Options{Way: opts.Attach, Tracefs: root})
	if err != nil {
		return err
	}
	defer loaded.Close()
	for _, note := range loaded.Notes {
		notify(note)
	}

	// trace_pipe may still hold lines from before we started (another run
	// stopped by --count, another tool). A marker written now, after
	// attaching, separates them from ours: lines before it are skipped.
	if err := pipe.Mark(); err != nil {
		notify(fmt.Sprintf("warning: cannot write trace_marker (%v): older lines in trace_pipe will be shown too", err))
	}
	notify(fmt.Sprintf("reading %s; this consumes it: each line reaches one reader only, and recent kernels let no other reader in meanwhile. Ctrl-C to end", pipe.Path))
	if err := ready.Announce(stderr); err != nil {
		return err
	}

	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	printer := output.NewPrintkPrinter(stdout, opts.Format, opts.Lang)
	stats, err := stream(ctx, pipe, opts, printer, notify)
	if ferr := printer.Flush(); err == nil {
		err = ferr
	}
	notify(stats.String())
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil // Ctrl-C, SIGTERM or --duration: a normal end
	}
	return err
}

// Stats are what a run counted, reported on stderr at exit.
type Stats struct {
	Printed uint64 // lines printed
	Others  uint64 // lines from other programs, hidden (no --all)
	Stale   uint64 // lines from before we started, skipped
	Lost    uint64 // lines the kernel dropped ("CPU:N [LOST M EVENTS]")
}

func (s Stats) String() string {
	line := fmt.Sprintf("%d lines printed", s.Printed)
	if s.Others > 0 {
		line += fmt.Sprintf(", %d from other programs hidden (--all shows them)", s.Others)
	}
	if s.Stale > 0 {
		line += fmt.Sprintf(", %d from before we started skipped", s.Stale)
	}
	line += fmt.Sprintf(", %d lost", s.Lost)
	return line
}

// stream reads, filters and prints lines.
func stream(ctx context.Context, pipe *tracepipe.Pipe, opts options.Printk, p *output.PrintkPrinter, notify func(string)) (stats Stats, err error) {
	var lost tracepipe.LossWarner
	defer func() { // losses not warned about yet are in the summary too
		if msg, _, ok := lost.Flush(); ok {
			notify(msg)
		}
		stats.Stale = pipe.Stale
	}()
	for {
		line, err := pipe.Next(ctx)
		if err != nil {
			return stats, err
		}
		if line.LostEvents > 0 {
			stats.Lost += uint64(line.LostEvents)
			if msg, _, ok := lost.Add(uint64(line.LostEvents), time.Now()); ok {
				notify(msg)
			}
			continue
		}
		if !opts.All && line.Parsed && !isOurs(line) {
			stats.Others++
			continue
		}
		// A line that does not parse is shown raw: it could be ours.
		if err := p.Print(line); err != nil {
			return stats, err
		}
		stats.Printed++
		if opts.Count > 0 && stats.Printed >= uint64(opts.Count) {
			return stats, nil
		}
		// Lines come slowly (bpf_trace_printk is for debugging): show each at once.
		if err := p.Flush(); err != nil {
			return stats, err
		}
	}
}

// isOurs: a bpf_trace_printk line carrying hello.bpf.c's message.
func isOurs(l tracepipe.Line) bool {
	return l.IsBPFPrintk() && l.Message == event.HelloMessage
}
