package runner

import (
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// inferOutputs says what to show for an object that came with no plan:
// trace_pipe when a program prints, every perf/ring buffer's events, and
// every hash or array map that holds results (a "hist" map as a log2
// histogram). Maps that hold the program's state are hidden unless all:
// hidden says which and why.
func inferOutputs(progs []probe.Program, maps []btfview.Map, uses map[string]bpfuse.MapUse, all bool) (outs []runplan.Output, hidden []string) {
	for _, p := range progs {
		if p.CallsPrintk {
			outs = append(outs, runplan.Output{Kind: runplan.TracePipe})
			break
		}
	}
	for _, m := range maps {
		if m.Name == compile.LostMap {
			continue // run's own count of ring buffer losses
		}
		switch m.Type {
		case btfview.MapTypePerfEventArray, btfview.MapTypeRingbuf:
			outs = append(outs, runplan.Output{Kind: runplan.Events, Map: m.Name})
		case btfview.MapTypeHash, btfview.MapTypeArray, btfview.MapTypePercpuHash,
			btfview.MapTypePercpuArray, btfview.MapTypeLRUHash, btfview.MapTypeLRUPercpuHash:
			if why := stateMap(m, uses); why != "" && !all {
				hidden = append(hidden, textsafe.Escape(m.Name)+" ("+why+")")
				continue
			}
			kind := runplan.Items
			if strings.Contains(strings.ToLower(m.Name), "hist") {
				kind = runplan.Log2Hist
			}
			outs = append(outs, runplan.Output{Kind: kind, Map: m.Name})
		}
	}
	return outs, hidden
}

// scratchValue: a one-slot map with a value this large is a scratch buffer
// (a "heap" for an event too big for the stack), not a counter.
const scratchValue = 64

// stateMap says why m holds the program's state rather than results, or
// "": what libbpf-tools' loaders never print. uses is nil when the code
// could not be read (then every map is shown).
func stateMap(m btfview.Map, uses map[string]bpfuse.MapUse) string {
	u, known := uses[m.Name]
	switch {
	case uses == nil:
		return ""
	case known && u.Delete:
		return "the program deletes its entries: state in flight, such as start times"
	case m.MaxEntries == 1 && m.ValueSize > scratchValue && (!known || !u.Update):
		return "one slot of " + strconv.Itoa(m.ValueSize) + " bytes: a scratch buffer"
	}
	return ""
}
