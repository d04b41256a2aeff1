package opens

import (
	"fmt"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

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
		if s.opts.Buffer == options.BufferRing {
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
