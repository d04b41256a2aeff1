package opens

import (
	"context"
	"io"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/samples"
)

// streamer prints events in time order, and keeps the counts.
type streamer struct {
	opts              options.Open
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
