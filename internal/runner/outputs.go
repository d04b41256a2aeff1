package runner

import (
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// inferOutputs says what to show for an object that came with no plan:
// trace_pipe when a program prints, every perf/ring buffer's events, and
// every hash or array map (a "hist" map as a log2 histogram).
func inferOutputs(progs []probe.Program, maps []btfview.Map) []runplan.Output {
	var outs []runplan.Output
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
			kind := runplan.Items
			if strings.Contains(strings.ToLower(m.Name), "hist") {
				kind = runplan.Log2Hist
			}
			outs = append(outs, runplan.Output{Kind: kind, Map: m.Name})
		}
	}
	return outs
}
