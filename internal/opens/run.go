package opens

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Buffer kinds.
const (
	BufferPerf = "perf" // BPF perf event array, as the tutorial's BPF_PERF_OUTPUT
	BufferRing = "ring" // BPF ring buffer (kernel 5.8+)
)

const pageSize = 4096

// Default buffer sizes, in pages: perf buffers are per CPU, the ring buffer is shared.
const (
	DefaultPerfPages = 128  // 512 KiB per CPU
	DefaultRingPages = 1024 // 4 MiB
)

// Options are the settings of one `ebpf-hello open` run.
type Options struct {
	Attach    probe.Mode
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
	if o.PID < 0 {
		return fmt.Errorf("invalid --pid %d: must be a positive process id", o.PID)
	}
	if o.TID < 0 {
		return fmt.Errorf("invalid --tid %d: must be a positive thread id", o.TID)
	}
	if o.UID < -1 {
		return fmt.Errorf("invalid --uid %d: must be a user id (0 or more)", o.UID)
	}
	if len(o.Comm) > 15 {
		o.Comm = o.Comm[:15] // the kernel keeps 15 bytes of a command name
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
	Events     uint64 // printed
	Lost       uint64 // never reached user space (buffer full)
	NameErrors uint64 // events whose file name could not be read
	Unmatched  uint64 // opens whose exit could not be matched (entry map full)

	perfLost, ringFull uint64 // Lost's two sources while running
}

func (s Stats) String() string {
	line := fmt.Sprintf("%d events, %d lost", s.Events, s.Lost)
	if s.NameErrors > 0 {
		line += fmt.Sprintf(", %d file names unreadable", s.NameErrors)
	}
	if s.Unmatched > 0 {
		line += fmt.Sprintf(", %d opens missed (entry map full)", s.Unmatched)
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
	loaded, err := probe.Load(spec(opts), probe.Options{Mode: opts.Attach, Tracefs: root, Notify: notify})
	if err != nil {
		return err
	}
	defer loaded.Close()
	opts.Output.Attach = string(loaded.Mode)

	var samples *probe.Samples
	if opts.Buffer == BufferRing {
		samples, err = loaded.RingSamples("events")
	} else {
		samples, err = loaded.PerfSamples("events", opts.Pages)
	}
	if err != nil {
		return err
	}
	defer samples.Stop() // before loaded.Close: libbpfgo wants Stop, then Close

	printer := output.NewOpenPrinter(stdout, opts.Output)
	if err := printer.Header(); err != nil {
		return err
	}
	if err := printer.Flush(); err != nil {
		return err
	}
	notify(fmt.Sprintf("tracing file opens (%s buffer); Ctrl-C to end", opts.Buffer))

	stats, err := stream(ctx, opts, samples, loaded, printer, notify)
	// Stop polling before the final count, so nothing is in flight.
	samples.Stop()
	if drops, derr := readDrops(loaded); derr == nil {
		stats.Lost = stats.perfLost + drops.ringFull
		stats.Unmatched = drops.stashFull
	}
	notify(stats.String())
	return err
}

// stream prints events until ctx ends, the count or duration is reached,
// or the samples channel is closed.
func stream(ctx context.Context, opts Options, samples *probe.Samples, loaded *probe.Loaded, printer *output.OpenPrinter, notify func(string)) (Stats, error) {
	var stats Stats
	var deadline <-chan time.Time
	if opts.Duration > 0 {
		timer := time.NewTimer(opts.Duration)
		defer timer.Stop()
		deadline = timer.C
	}
	// Ring buffer losses are counted in a BPF map: check it every second.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()

	var reported uint64 // losses already warned about
	warnLoss := func() {
		if lost := stats.perfLost + stats.ringFull; lost > reported {
			notify(fmt.Sprintf("warning: %d events lost so far (buffer full): try a larger --pages, or --buffer ring", lost))
			reported = lost
		}
	}
	// Events wait in sorter for reorderWindow, then print in time order.
	sorter := reorderer{window: uint64(reorderWindow)}
	emit := func(e *event.Open) (stop bool, err error) {
		if e.NameErr != 0 {
			stats.NameErrors++
		}
		if err := printer.Print(e); err != nil {
			return true, err
		}
		stats.Events++
		return opts.Count > 0 && stats.Events >= uint64(opts.Count), nil
	}
	// release prints what is due (everything when now is 0) and flushes.
	release := func(now uint64) (stop bool, err error) {
		stop, err = sorter.release(now, emit)
		if ferr := printer.Flush(); err == nil {
			err = ferr
		}
		return stop, err
	}
	due := time.NewTicker(reorderWindow)
	defer due.Stop()

	lost := samples.Lost // nil for the ring buffer: that case never fires
	var ev event.Open
	var decodeErrors uint64
	for {
		select {
		case <-ctx.Done():
			_, err := release(0)
			return stats, err
		case <-deadline:
			_, err := release(0)
			return stats, err
		case n, ok := <-lost:
			if !ok {
				lost = nil
				continue
			}
			stats.perfLost += n
			if reported == 0 {
				warnLoss() // say so as soon as loss starts
			}
		case <-tick.C:
			if drops, err := readDrops(loaded); err == nil {
				stats.ringFull = drops.ringFull
			}
			warnLoss()
		case <-due.C:
			if stop, err := release(monotonicNow()); stop || err != nil {
				return stats, err
			}
		case sample, ok := <-samples.C:
			if !ok {
				_, err := release(0)
				return stats, err
			}
			if err := event.Decode(sample, &ev); err != nil {
				if decodeErrors++; decodeErrors == 1 {
					notify("warning: " + err.Error())
				}
				continue
			}
			sorter.add(&ev)
			// When busy, do not let the sorter grow without bound.
			if sorter.len() >= maxPending {
				if stop, err := release(monotonicNow()); stop || err != nil {
					return stats, err
				}
			}
		}
	}
}

// reorderWindow is how long an event waits for older ones from other CPUs.
const reorderWindow = 10 * time.Millisecond

// maxPending triggers an early release under load.
const maxPending = 4096

// monotonicNow is the kernel clock bpf_ktime_get_ns reads, in nanoseconds.
func monotonicNow() uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return uint64(ts.Nano())
}

// drops are the BPF side's counters (open.h DROP_*).
type drops struct{ ringFull, stashFull uint64 }

const (
	dropRingbufFull = 0 // DROP_RINGBUF_FULL
	dropStashFull   = 1 // DROP_STASH_FULL
)

func readDrops(l *probe.Loaded) (drops, error) {
	ring, err := l.SumPerCPU("drops", dropRingbufFull)
	if err != nil {
		return drops{}, err
	}
	stash, err := l.SumPerCPU("drops", dropStashFull)
	return drops{ringFull: ring, stashFull: stash}, err
}
