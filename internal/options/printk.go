package options

import "github.com/ebpf-hello/ebpf-hello/internal/output"

// Printk are the settings of one `ebpf-hello printk` run.
type Printk struct {
	Attach string // the way to attach: auto, kprobe, fentry or tracepoint
	Format output.PrintkFormat
	All    bool   // show every trace_pipe line, not only ours
	Lang   string // of --format fields' explanations: "en" or "zh"
	Limits
}

// Validate checks values before anything is loaded.
func (o *Printk) Validate() error { return o.Limits.Validate() }
