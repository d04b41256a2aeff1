package execs

import (
	"fmt"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/builtins"
	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
)

// Id limits: the kernel's PID_MAX_LIMIT, and (uid_t)-1 which means "no user".
const (
	MaxPID = 4194304
	MaxUID = 1<<32 - 1
)

// Options are the settings of one `ebpf-hello exec` run.
type Options struct {
	Attach   string // auto or tracepoint
	Pages    int    // perf buffer pages per CPU (power of two); 0 picks the default
	PID      int    // only execs by this process; 0 means any
	UID      int    // only this user; -1 means any
	Comm     string // only this command name after exec; "" means any
	Failed   bool   // only failed execs
	Count    int    // stop after this many events (0: no limit)
	Duration time.Duration
	Output   output.ExecOptions
}

// Validate checks option values before anything is loaded.
func (o *Options) Validate() error {
	switch o.Attach {
	case "", "auto", "tracepoint":
	default:
		return fmt.Errorf("invalid --attach %q: exec attaches to the execve/execveat tracepoints only (auto or tracepoint)", o.Attach)
	}
	if o.Pages == 0 {
		o.Pages = builtins.DefaultExecPages
	}
	if o.Pages < 1 || o.Pages > 65536 || o.Pages&(o.Pages-1) != 0 {
		return fmt.Errorf("invalid --pages %d: a power of two from 1 to 65536", o.Pages)
	}
	// The BPF side compares 32-bit ids: a larger value would wrap around.
	if o.PID < 0 || o.PID > MaxPID {
		return fmt.Errorf("invalid --pid %d: a process id is between 1 and %d", o.PID, MaxPID)
	}
	if o.UID < -1 || o.UID >= MaxUID {
		return fmt.Errorf("invalid --uid %d: a user id is between 0 and %d", o.UID, MaxUID-1)
	}
	if len(o.Comm) > event.ExecCommLen-1 {
		o.Comm = o.Comm[:event.ExecCommLen-1] // the kernel keeps 15 bytes of a command name
	}
	if o.Count < 0 {
		return fmt.Errorf("invalid --count %d: must be 0 (no limit) or more", o.Count)
	}
	if o.Duration < 0 {
		return fmt.Errorf("invalid --duration %s: must be positive", o.Duration)
	}
	return nil
}

// config is what the BPF side needs of the options.
func (o *Options) config() builtins.ExecConfig {
	return builtins.ExecConfig{Pages: o.Pages, PID: uint32(o.PID), UID: o.UID, Comm: o.Comm, Failed: o.Failed}
}
