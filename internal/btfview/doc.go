// Package btfview reads what a BPF program produces, using only the BTF in
// its object: the types of its events, maps and globals.
//
// It finds types (a struct by name, the key and value of a BTF-defined map,
// the .rodata/.bss/.data variables), decodes raw bytes into ordered, named
// fields (nested structs flattened with dotted names), and prints them the
// way BCC scripts usually do: one aligned row per event or a JSON line, map
// items sorted by value, and log2/linear histograms in the layout of BCC's
// print_log2_hist and print_linear_hist.
//
// Text that came from the traced programs (char arrays: file names, comms)
// is escaped by internal/textsafe before it reaches a terminal or JSON.
//
// How run uses it, for an object obj (ELF bytes):
//
//	o, _ := btfview.Load(obj)
//	ev, _ := o.EventType("events", "")         // perf/ring buffer: the event struct
//	p := btfview.NewEventPrinter(os.Stdout, ev, jsonFlag)
//	p.Print(sample)                             // per raw sample
//	m, _ := o.Map("counts")                     // hash/array map
//	items, _ := btfview.Items(m, entries)       // entries read from the kernel
//	btfview.PrintItems(os.Stdout, m, items, jsonFlag)
//	secs, _ := btfview.HistSections(m, entries, btfview.Log2Slots)
//	btfview.PrintHist(os.Stdout, secs, "usecs", "Bucket ptr", true)
//	g, _ := o.Globals()                         // --set NAME=VALUE
//	global, bytes, err := btfview.ParseSetting(g, "targ_pid=42")
//
// The package is pure Go (github.com/cilium/ebpf/btf parses the BTF), so it
// builds and tests without cgo.
package btfview
