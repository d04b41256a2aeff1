package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// explain answers, for run --explain, the learner's question "how does
// output appear without user-space code?" for the program at hand: where
// each thing printed comes from and why it is shown that way. One line
// each, names escaped.
func explain(opts Options, obj *btfview.Object, progs []probe.Program, maps []btfview.Map, outputs []runplan.Output, globals map[string]any) []string {
	lines := []string{"no user-space code of yours runs: ebpf-hello loads the object into the kernel, attaches its programs, and reads what they write itself"}
	byName := map[string]btfview.Map{}
	for _, m := range maps {
		byName[m.Name] = m
	}
	fromScript := len(opts.Plan.Outputs) > 0
	for _, o := range outputs {
		name := textsafe.Escape(o.Map)
		switch o.Kind {
		case runplan.TracePipe:
			var callers []string
			for _, p := range progs {
				if p.CallsPrintk {
					callers = append(callers, textsafe.Escape(p.Name))
				}
			}
			who := "your programs"
			if len(callers) > 0 {
				who = strings.Join(callers, ", ")
			}
			lines = append(lines, "trace_pipe: "+who+" call bpf_printk/bpf_trace_printk, which writes into the kernel's trace buffer; run reads /sys/kernel/tracing/trace_pipe and shows the lines written after it started (not those ebpf-hello's own threads caused)")
		case runplan.Events:
			kind := "perf event array"
			if byName[o.Map].Type == btfview.MapTypeRingbuf {
				kind = "ring buffer"
			}
			l, err := eventLayout(obj, o, opts)
			if err != nil {
				lines = append(lines, fmt.Sprintf("events of %s %s: their struct is not known (%v)", kind, name, err))
				continue
			}
			what := "a struct"
			if l.Name != "" {
				what = "struct " + textsafe.Escape(l.Name)
			}
			how := ""
			if l.Found != "" {
				how = ", found " + textsafe.Escape(l.Found)
			}
			row := "one row per event"
			if o.Print != nil && !opts.JSON {
				row = "one row per event, formatted as the script's print() does"
			}
			lines = append(lines, fmt.Sprintf("events of %s %s: the program copies each event there; each is %s (%d bytes%s), decoded field by field from its type: %s", kind, name, what, l.Size, how, row))
			if i := btfview.TimeField(l); i >= 0 {
				lines = append(lines, fmt.Sprintf("events of %s: TIME(s) is field %s (bpf_ktime_get_ns, nanoseconds since boot), shown as seconds since the first event", name, textsafe.Escape(l.Fields[i].Name)))
			}
			if !opts.RawValues && (o.Print == nil || opts.JSON) {
				l.MakeReadable(opts.Plan.NetworkOrder)
				for _, e := range l.Explain() {
					lines = append(lines, "events of "+name+": "+textsafe.Escape(e)+" (--raw-values: as it is)")
				}
			}
		case runplan.Items, runplan.Log2Hist, runplan.LinearHist:
			m := byName[o.Map]
			when := "at exit"
			if opts.Plan.Interval > 0 {
				when = fmt.Sprintf("every %v and at exit", opts.Plan.Interval)
			}
			why := "the program fills it and never deletes its entries: results"
			if fromScript {
				why = "the script prints it"
			}
			shape := "its items, key and value columns, sorted by value"
			switch o.Kind {
			case runplan.Log2Hist:
				shape = "as a log2 histogram (power-of-two buckets, as BCC's print_log2_hist)"
				if !fromScript {
					why += "; a histogram because its name says hist"
				}
			case runplan.LinearHist:
				shape = "as a linear histogram"
			}
			if m.PerCPU() {
				shape += "; each CPU's values summed"
			}
			lines = append(lines, fmt.Sprintf("map %s (%s, up to %d entries): printed %s, %s: %s", name, mapKind(m), m.MaxEntries, when, shape, why))
		}
	}
	if len(globals) > 0 {
		var set []string
		for g := range globals {
			set = append(set, textsafe.Escape(g))
		}
		sort.Strings(set)
		lines = append(lines, "globals set before loading (--set or the script): "+strings.Join(set, ", ")+"; --params lists them all")
	}
	return lines
}

// mapKind names a map type as a learner reads it.
func mapKind(m btfview.Map) string {
	switch m.Type {
	case btfview.MapTypeHash:
		return "hash"
	case btfview.MapTypeArray:
		return "array"
	case btfview.MapTypePercpuHash:
		return "per-CPU hash"
	case btfview.MapTypePercpuArray:
		return "per-CPU array"
	case btfview.MapTypeLRUHash:
		return "LRU hash"
	case btfview.MapTypeLRUPercpuHash:
		return "per-CPU LRU hash"
	}
	return fmt.Sprintf("type %d", m.Type)
}
