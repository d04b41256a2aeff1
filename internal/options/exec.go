package options

import (
	"fmt"

	"github.com/ebpf-hello/ebpf-hello/internal/output"
)

// DefaultExecPages is exec's perf buffer per CPU: execs are rare next to opens.
const DefaultExecPages = 64 // 256 KiB per CPU

// Exec are the settings of one `ebpf-hello exec` run.
type Exec struct {
	Attach string // auto or tracepoint
	Pages  int    // perf buffer pages per CPU (power of two); 0 picks the default
	PID    int    // only execs by this process; 0 means any
	UID    int    // only this user; -1 means any
	Comm   string // only this command name after exec; "" means any
	Failed bool   // only failed execs
	Limits
	Output output.ExecOptions
}

// Validate checks values, and fills in defaults.
func (o *Exec) Validate() error {
	switch o.Attach {
	case "", "auto", "tracepoint":
	default:
		return fmt.Errorf("invalid --attach %q: exec attaches to the execve/execveat tracepoints only (auto or tracepoint)", o.Attach)
	}
	if o.Pages == 0 {
		o.Pages = DefaultExecPages
	}
	if err := checkPages(o.Pages); err != nil {
		return err
	}
	if err := checkIDs(o.PID, 0, o.UID); err != nil {
		return err
	}
	o.Comm = cutComm(o.Comm)
	return o.Limits.Validate()
}
