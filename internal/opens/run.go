package opens

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/samples"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Run loads open.bpf.c, streams events to stdout and messages to stderr
// until ctx is cancelled, Count events were printed or Duration passed.
func Run(ctx context.Context, opts options.Open, stdout, stderr io.Writer) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if err := kernel.CheckPrivileges(); err != nil {
		return err
	}
	notify := func(msg string) { fmt.Fprintln(stderr, "ebpf-hello: "+msg) }

	if opts.Buffer == options.BufferRing {
		if _, v, err := kernel.Release(); err == nil && !v.AtLeast(5, 8) {
			return fmt.Errorf("--buffer ring needs kernel 5.8 or newer, this is %s: use --buffer perf", v)
		}
	}
	root, err := tracefs.Ensure(notify)
	if err != nil {
		notify(fmt.Sprintf("tracefs unavailable (%v): tracepoints cannot be used", err))
		root = ""
	}
	ns, nsNote := builtins.Namespace()
	if nsNote != "" {
		notify(nsNote)
	}
	opts.Output.PIDNamespace = ns.Ino != 0
	loaded, err := probe.Load(spec(opts, os.Getpid(), ns), probe.Options{Way: opts.Attach, Tracefs: root})
	if err != nil {
		return err
	}
	defer loaded.Close()
	for _, note := range loaded.Notes {
		notify(note)
	}
	opts.Output.Attach = loaded.Way

	reader := loaded.Readers["events"]

	printer := output.NewOpenPrinter(stdout, opts.Output)
	if err := printer.Header(); err != nil {
		return err
	}
	if err := printer.Flush(); err != nil {
		return err
	}
	notify(fmt.Sprintf("tracing file opens (%s buffer); Ctrl-C to end", opts.Buffer))
	if err := ready.Announce(stderr); err != nil {
		return err
	}

	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	stream := samples.NewStream(reader, event.Time)
	defer stream.Close()
	s := &streamer{opts: opts, stream: stream, reader: reader, loaded: loaded, printer: printer, notify: notify}
	err = s.run(ctx)
	s.countLost()                      // the final count
	s.stats.Events = printer.Written() // only events whose line was written
	notify(s.stats.String())
	return err
}
