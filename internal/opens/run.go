package opens

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/samples"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Buffer kinds and default sizes (internal/builtins has open.bpf.c's spec).
const (
	BufferPerf       = builtins.BufferPerf
	BufferRing       = builtins.BufferRing
	DefaultPerfPages = builtins.DefaultPerfPages
	DefaultRingPages = builtins.DefaultRingPages
)

// Id limits. MaxPID is the kernel's PID_MAX_LIMIT (pid_max can be raised
// to it, never above). MaxUID is (uid_t)-1, which means "no user".
const (
	MaxPID = 4194304
	MaxUID = 1<<32 - 1
)

// Options are the settings of one `ebpf-hello open` run.
type Options struct {
	Attach    string // the way to attach: auto, kprobe, fentry or tracepoint
	Buffer    string // BufferPerf or BufferRing
	Pages     int    // buffer size in pages (power of two); 0 picks the default
	PID, TID  int    // filters; 0 means any
	UID       int    // filter; -1 means any
	Comm      string // filter; "" means any
	Failed    bool   // only failed opens
	EntryOnly bool   // read the name at entry, as the tutorial does
	Count     int    // stop after this many events (0: no limit)
	Duration  time.Duration
	Output    output.OpenOptions

	selfPID int // set by Run: the tracer's own opens are not shown
}

// Validate checks option values and combinations before anything is loaded.
func (o *Options) Validate() error {
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
	if o.Pages < 1 || o.Pages&(o.Pages-1) != 0 {
		return fmt.Errorf("invalid --pages %d: must be a power of two (1, 2, 4, ... 65536)", o.Pages)
	}
	if o.Pages > 65536 {
		return fmt.Errorf("invalid --pages %d: at most 65536", o.Pages)
	}
	// The BPF side compares 32-bit ids: a larger value would wrap around
	// (--pid 4294967297 would trace pid 1), so it is refused here.
	if o.PID < 0 || o.PID > MaxPID {
		return fmt.Errorf("invalid --pid %d: a process id is between 1 and %d", o.PID, MaxPID)
	}
	if o.TID < 0 || o.TID > MaxPID {
		return fmt.Errorf("invalid --tid %d: a thread id is between 1 and %d", o.TID, MaxPID)
	}
	if o.UID < -1 || o.UID >= MaxUID {
		return fmt.Errorf("invalid --uid %d: a user id is between 0 and %d", o.UID, MaxUID-1)
	}
	if len(o.Comm) > event.TaskCommLen-1 {
		o.Comm = o.Comm[:event.TaskCommLen-1] // the kernel keeps 15 bytes of a command name
	}
	if o.Failed && o.EntryOnly {
		return errors.New("--failed needs the return value, which --entry-only does not read")
	}
	if o.Output.ShowErrors && o.EntryOnly {
		return errors.New("--errors needs the return value, which --entry-only does not read")
	}
	if o.Count < 0 {
		return fmt.Errorf("invalid --count %d: must be 0 (no limit) or more", o.Count)
	}
	if o.Duration < 0 {
		return fmt.Errorf("invalid --duration %s: must be positive", o.Duration)
	}
	return nil
}

// Stats are what a run counted, reported on stderr at exit.
type Stats struct {
	Events     uint64 // printed: the whole line was written
	Lost       uint64 // never reached user space (buffer full)
	NameErrors uint64 // events whose file name could not be read
	Unmatched  uint64 // opens sent at entry, without their result, because the entry map was full
	Malformed  uint64 // samples too short to decode (a bug if ever seen)
}

func (s Stats) String() string {
	line := fmt.Sprintf("%d events, %d lost", s.Events, s.Lost)
	if s.NameErrors > 0 {
		line += fmt.Sprintf(", %d file names unreadable", s.NameErrors)
	}
	if s.Unmatched > 0 {
		line += fmt.Sprintf(", %d opens shown without their result (entry map full)", s.Unmatched)
	}
	return line
}

// Run loads open.bpf.c, streams events to stdout and messages to stderr
// until ctx is cancelled, Count events were printed or Duration passed.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if err := kernel.CheckPrivileges(); err != nil {
		return err
	}
	opts.selfPID = os.Getpid()
	notify := func(msg string) { fmt.Fprintln(stderr, "ebpf-hello: "+msg) }

	if opts.Buffer == BufferRing {
		if _, v, err := kernel.Release(); err == nil && !v.AtLeast(5, 8) {
			return fmt.Errorf("--buffer ring needs kernel 5.8 or newer, this is %s: use --buffer perf", v)
		}
	}
	root, err := tracefs.Ensure(notify)
	if err != nil {
		notify(fmt.Sprintf("tracefs unavailable (%v): tracepoints cannot be used", err))
		root = ""
	}
	loaded, err := probe.Load(spec(opts), probe.Options{Way: opts.Attach, Tracefs: root})
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

// streamer prints events in time order, and keeps the counts.
type streamer struct {
	opts              Options
	stream            *samples.Stream
	reader            *probe.Reader
	loaded            *probe.Loaded
	printer           *output.OpenPrinter
	notify            func(string)
	stats             Stats
	reported          uint64    // losses already warned about
	unmatchedReported uint64    // opens without their result already warned about
	lastWarning       time.Time // warnings repeat at most every warnEvery
	ev                event.Open
	queued            uint64 // events handed to the printer (for --count)
}

// run prints events until ctx ends or the count is reached; then prints
// what is still in the buffers: events already written are shown, not dropped.
func (s *streamer) run(ctx context.Context) error {
	// Losses are counted in a BPF map: look often, to warn as soon as they start.
	lossCheck := time.NewTicker(lossCheckInterval)
	defer lossCheck.Stop()
	for {
		batch, err := s.stream.Next(ctx)
		if ctx.Err() != nil {
			batch, err = s.stream.Drain()
		}
		if err != nil {
			return err
		}
		if stop, err := s.print(batch); stop || err != nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-lossCheck.C:
			s.countLost()
		default:
		}
	}
}

// print prints a batch of samples and flushes; stop is true once --count is reached.
func (s *streamer) print(batch [][]byte) (stop bool, err error) {
	for _, sample := range batch {
		if err := event.Decode(sample, &s.ev); err != nil {
			if s.stats.Malformed++; s.stats.Malformed == 1 {
				s.notify("warning: " + err.Error())
			}
			continue
		}
		if s.ev.NameErr != 0 {
			s.stats.NameErrors++
		}
		if err := s.printer.Print(&s.ev); err != nil {
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

// countLost adds up the losses and the opens that could not wait for their
// result, and warns as soon as either grows. open.bpf.c counts full-buffer
// losses itself, exactly and at once, so the perf buffer's own (later) loss
// reports are not added: they are the same events.
func (s *streamer) countLost() {
	total := s.reader.Overflow()
	drops, err := readDrops(s.loaded)
	if err == nil {
		total += drops.bufferFull
		s.stats.Unmatched = drops.stashFull
	}
	s.stats.Lost = total
	if time.Since(s.lastWarning) < warnEvery {
		return // the counts keep growing; the summary at exit has the totals
	}
	if total > s.reported {
		advice := "try a larger --pages, or --buffer ring"
		if s.opts.Buffer == BufferRing {
			advice = "try a larger --pages"
		}
		s.notify(fmt.Sprintf("warning: %d events lost so far (buffer full): %s", total, advice))
		s.reported = total
		s.lastWarning = time.Now()
	}
	if s.stats.Unmatched > s.unmatchedReported {
		what := "shown at entry, without their result"
		if s.opts.Failed {
			what = "not shown: their result is unknown" // --failed needs the result
		}
		s.notify(fmt.Sprintf("warning: the map of opens in flight is full (threads blocked in open, on FIFOs say?): %d opens so far %s", s.stats.Unmatched, what))
		s.unmatchedReported = s.stats.Unmatched
		s.lastWarning = time.Now()
	}
}

// warnEvery spaces out the warnings while losses go on.
const warnEvery = 5 * time.Second

// lossCheckInterval is how often the loss counters are read.
const lossCheckInterval = 100 * time.Millisecond

// drops are the BPF side's counters (open.h DROP_*).
type drops struct{ bufferFull, stashFull uint64 }

const (
	dropBufferFull = event.DropBufferFull
	dropStashFull  = event.DropStashFull
)

func readDrops(l *probe.Loaded) (drops, error) {
	full, err := l.SumPerCPU("drops", dropBufferFull)
	if err != nil {
		return drops{}, err
	}
	stash, err := l.SumPerCPU("drops", dropStashFull)
	return drops{bufferFull: full, stashFull: stash}, err
}
