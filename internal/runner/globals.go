package runner

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// resultGlobals are the plain globals (.bss, .data) the program writes:
// its results, as libbpf-tools' softirqs keeps counts[] in .bss and its
// loader prints them from the skeleton. Globals it only reads are
// settings (--set), not shown. Sorted by section, then offset.
func resultGlobals(obj []byte, globals map[string]btfview.Global) ([]btfview.Global, error) {
	accesses, err := bpfuse.Accesses(obj)
	if err != nil {
		return nil, err
	}
	var all []btfview.Global
	for _, g := range globals {
		if !g.ReadOnly && g.Type != nil && g.Type.Size > 0 {
			all = append(all, g)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Section != all[j].Section {
			return all[i].Section < all[j].Section
		}
		return all[i].Offset < all[j].Offset
	})
	var out []btfview.Global
	for _, g := range all {
		if writes(g, accesses, all) {
			out = append(out, g)
		}
	}
	return out, nil
}

// writes: some access writes g's bytes. A store whose extent is unknown
// (an index added to the address, freqs_mhz[cpu] = ...) is taken to stay
// inside the global it starts in, as C's arrays do, not to run over the
// globals after it.
func writes(g btfview.Global, accesses []bpfuse.Access, all []btfview.Global) bool {
	for _, a := range accesses {
		if !a.Write || a.Section != g.Section {
			continue
		}
		if a.Size >= 0 {
			if a.Offset < g.Offset+g.Type.Size && a.Offset+a.Size > g.Offset {
				return true
			}
			continue
		}
		if a.Offset >= g.Offset && a.Offset < g.Offset+g.Type.Size {
			return true // starts in g: an element of g
		}
		if a.Offset < g.Offset && !startsInAGlobal(a, all) {
			return true // starts in no global we know: may reach g
		}
	}
	return false
}

// startsInAGlobal: a's first byte is inside one of the globals.
func startsInAGlobal(a bpfuse.Access, all []btfview.Global) bool {
	for _, g := range all {
		if g.Section == a.Section && a.Offset >= g.Offset && a.Offset < g.Offset+g.Type.Size {
			return true
		}
	}
	return false
}

// printGlobals appends each result global's value as the program left it:
// "name = value" lines under "globals:", or one JSON object each.
func (s *show) printGlobals(w *bytes.Buffer) error {
	if len(s.results) == 0 {
		return nil
	}
	sections := map[string][]byte{} // each data section is one map of one value
	if !s.opts.JSON {
		w.WriteString("\nglobals:\n")
	}
	for _, g := range s.results {
		data, ok := sections[g.Section]
		if !ok {
			m, err := s.loaded.Map(g.Section)
			if err != nil {
				return err
			}
			if data, err = m.Lookup(make([]byte, m.KeySize)); err != nil {
				return err
			}
			sections[g.Section] = data
		}
		if g.Offset+g.Type.Size > len(data) {
			return fmt.Errorf("global %s: past the end of %s", textsafe.Escape(g.Name), g.Section)
		}
		rec, err := g.Type.Decode(data[g.Offset : g.Offset+g.Type.Size])
		if err != nil {
			return fmt.Errorf("global %s: %w", textsafe.Escape(g.Name), err)
		}
		if slots, ok := btfview.GlobalHist(g.Type, data[g.Offset:g.Offset+g.Type.Size]); ok && !s.opts.JSON {
			if err := btfview.PrintLog2Hist(w, slots, textsafe.Escape(g.Name)); err != nil {
				return err
			}
			continue
		}
		if s.opts.JSON {
			b := textsafe.AppendJSON([]byte(`{"global":`), textsafe.Escape(g.Name))
			b = rec.AppendJSON(append(b, `,"value":`...))
			w.Write(append(b, "}\n"...))
			continue
		}
		fmt.Fprintf(w, "%s = %s\n", textsafe.Escape(g.Name), strings.TrimSpace(rec.String()))
	}
	return nil
}
