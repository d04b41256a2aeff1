package runner

import (
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
)

// TestWritesStaysInTheIndexedGlobal: a store through an index (extent
// unknown) counts for the global it starts in, not the ones after it
// (cpufreq's freqs_mhz[cpu] = ... made its settings look like results).
func TestWritesStaysInTheIndexedGlobal(t *testing.T) {
	g := func(name string, off, size int) btfview.Global {
		return btfview.Global{Name: name, Section: ".bss", Offset: off, Type: &btfview.Layout{Size: size}}
	}
	all := []btfview.Global{g("freqs", 0, 16), g("filter", 16, 1), g("total", 24, 8)}
	accesses := []bpfuse.Access{
		{Section: ".bss", Offset: 4, Size: -1, Write: true}, // freqs[i] = ...
		{Section: ".bss", Offset: 16, Size: 1, Read: true},  // if (filter)
		{Section: ".bss", Offset: 24, Size: 8, Write: true}, // total += ...
	}
	for _, tc := range []struct {
		g    btfview.Global
		want bool
	}{{all[0], true}, {all[1], false}, {all[2], true}} {
		if got := writes(tc.g, accesses, all); got != tc.want {
			t.Errorf("%s written: %v, want %v", tc.g.Name, got, tc.want)
		}
	}
	// A store whose start is in no known global may reach any after it.
	gap := []btfview.Global{g("x", 0, 4), g("y", 8, 4)}
	if !writes(gap[1], []bpfuse.Access{{Section: ".bss", Offset: 4, Size: -1, Write: true}}, gap) {
		t.Error("an unknown store before y, in no global, was taken to miss it")
	}
}
