package execs

import (
	"context"
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
	"github.com/ebpf-hello/ebpf-hello/internal/samples"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Stats are what a run counted, reported on stderr at exit.
type Stats struct {
	Events    uint64 // printed: the whole line was written
	Lost      uint64 // never reached user space (buffer full)
	Untraced  uint64 // execs not traced: the map of execs in flight was full
	Malformed uint64 // samples too short to decode (a bug if ever seen)
}

func (s Stats) String() string {
	line := fmt.Sprintf("%d events, %d lost", s.Events, s.Lost)
	if s.Untraced > 0 {
		line += fmt.Sprintf(", %d execs not traced (map of execs in flight full)", s.Untraced)
	}
	return line
}

// Run loads exec.bpf.c, streams events to stdout and messages to stderr
// until ctx is cancelled, Count events were printed or Duration passed.
func Run(ctx context.Context, opts options.Exec, stdout, stderr io.Writer) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if err := kernel.CheckPrivileges(); err != nil {
		return err
	}
	notify := func(msg string) { fmt.Fprintln(stderr, "ebpf-hello: "+msg) }
	root, err := tracefs.Ensure(notify)
	if err != nil {
		return fmt.Errorf("exec attaches to syscall tracepoints, and tracefs is unavailable: %w", err)
	}
	ns, nsNote := builtins.Namespace()
	if nsNote != "" {
		notify(nsNote)
	}
	opts.Output.PIDNamespace = ns.Ino != 0
	loaded, err := probe.Load(spec(opts, ns), probe.Options{Way: opts.Attach, Tracefs: root})
	if err != nil {
		return err
	}
	defer loaded.Close()
	for _, note := range loaded.Notes {
		notify(note)
	}
	opts.Output.Attach = loaded.Way

	printer := output.NewExecPrinter(stdout, opts.Output)
	if err := printer.Header(); err != nil {
		return err
	}
	if err := printer.Flush(); err != nil {
		return err
	}
	notify("tracing process executions; Ctrl-C to end")
	if err := ready.Announce(stderr); err != nil {
		return err
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	reader := loaded.Readers["events"]
	stream := samples.NewStream(reader, event.ExecTime)
	defer stream.Close()
	s := &streamer{opts: opts, stream: stream, reader: reader, loaded: loaded, printer: printer, notify: notify}
	err = s.run(ctx)
	s.countLost()
	s.stats.Events = printer.Written()
	notify(s.stats.String())
	return err
}

// streamer prints events in time order and keeps the counts.
type streamer struct {
	opts        options.Exec
	stream      *samples.Stream
	reader      *probe.Reader
	loaded      *probe.Loaded
	printer     *output.ExecPrinter
	notify      func(string)
	stats       Stats
	warned      Stats     // counts already warned about
	lastWarning time.Time // warnings repeat at most every warnEvery
	queued      uint64    // events handed to the printer (for --count)
}

// warnEvery spaces out the warnings while losses go on.
const warnEvery = 5 * time.Second

// run prints events until ctx ends or the count is reached, then what is
// still in the buffer: events already written are shown, not dropped.
func (s *streamer) run(ctx context.Context) error {
	lossCheck := time.NewTicker(100 * time.Millisecond)
	defer lossCheck.Stop()
	for {
		batch, err := s.stream.Next(ctx) // after ctx ends: the rest, and io.EOF
		if err != nil && err != io.EOF {
			return err
		}
		if stop, perr := s.print(batch); stop || perr != nil || err == io.EOF {
			return perr
		}
		select {
		case <-lossCheck.C:
			s.countLost()
		default:
		}
	}
}

// print prints a batch and flushes; stop is true once --count is reached.
func (s *streamer) print(batch [][]byte) (stop bool, err error) {
	var ev event.Exec
	for _, sample := range batch {
		if err := event.DecodeExec(sample, &ev); err != nil {
			if s.stats.Malformed++; s.stats.Malformed == 1 {
				s.notify("warning: " + err.Error())
			}
			continue
		}
		if err := s.printer.Print(&ev); err != nil {
			return true, err
		}
		s.queued++
		if s.opts.Count > 0 && s.queued >= uint64(s.opts.Count) {
			stop = true
			break
		}
	}
	if len(batch) == 0 {
		return stop, nil
	}
	return stop, s.printer.Flush()
}

// countLost reads the BPF side's counters (exec.h EXEC_DROP_*) and warns as
// soon as they grow. The BPF program counts full-buffer losses itself, at
// once: the perf buffer's own later reports of the same events are not added.
func (s *streamer) countLost() {
	full, err1 := s.loaded.SumPerCPU("drops", event.ExecDropBufferFull)
	untraced, err2 := s.loaded.SumPerCPU("drops", event.ExecDropInflightFull)
	if err1 != nil || err2 != nil {
		return
	}
	s.stats.Lost = full + s.reader.Overflow()
	s.stats.Untraced = untraced
	if time.Since(s.lastWarning) < warnEvery {
		return // the summary at exit has the totals
	}
	if s.stats.Lost > s.warned.Lost {
		s.notify(fmt.Sprintf("warning: %d events lost so far (buffer full): try a larger --pages", s.stats.Lost))
		s.lastWarning = time.Now()
	}
	if s.stats.Untraced > s.warned.Untraced {
		s.notify(fmt.Sprintf("warning: %d execs not traced so far: the map of execs in flight is full", s.stats.Untraced))
		s.lastWarning = time.Now()
	}
	s.warned = s.stats
}
