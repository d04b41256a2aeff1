package runner

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
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
	var out []btfview.Global
	for _, g := range globals {
		if g.ReadOnly || g.Type == nil || g.Type.Size == 0 {
			continue
		}
		if bpfuse.Of(accesses, g.Section, g.Offset, g.Type.Size).Write {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Section != out[j].Section {
			return out[i].Section < out[j].Section
		}
		return out[i].Offset < out[j].Offset
	})
	return out, nil
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
		if s.opts.JSON {
			b := output.AppendJSONString([]byte(`{"global":`), textsafe.Escape(g.Name))
			b = rec.AppendJSON(append(b, `,"value":`...))
			w.Write(append(b, "}\n"...))
			continue
		}
		fmt.Fprintf(w, "%s = %s\n", textsafe.Escape(g.Name), strings.TrimSpace(rec.String()))
	}
	return nil
}
