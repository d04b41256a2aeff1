package options

import (
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/output"
)

func TestExecValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Exec
		err  string // "" when valid
	}{
		{"defaults", Exec{UID: -1}, ""},
		{"a uid", Exec{UID: 0}, ""},
		{"kprobe is not offered", Exec{Attach: "kprobe", UID: -1}, "invalid --attach"},
		{"negative pid", Exec{PID: -1, UID: -1}, "invalid --pid"},
		{"pid past PID_MAX_LIMIT", Exec{PID: MaxPID + 1, UID: -1}, "invalid --pid"},
		{"uid -2", Exec{UID: -2}, "invalid --uid"},
		{"uid (uid_t)-1", Exec{UID: MaxUID}, "invalid --uid"},
		{"pages not a power of two", Exec{Pages: 3, UID: -1}, "invalid --pages"},
		{"negative count", Exec{Limits: Limits{Count: -1}, UID: -1}, "invalid --count"},
		{"negative duration", Exec{Limits: Limits{Duration: -1}, UID: -1}, "invalid --duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Validate() = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestValidateCutsCommLikeTheKernel(t *testing.T) {
	o := Exec{UID: -1, Comm: "a-very-long-command-name"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.Comm != "a-very-long-com" || o.Pages == 0 {
		t.Errorf("comm %q pages %d, want the first 15 bytes and a default size", o.Comm, o.Pages)
	}
}

func TestOpenValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Open
		err  string // "" when valid
	}{
		{"defaults", Open{Buffer: BufferPerf, UID: -1}, ""},
		{"ring", Open{Buffer: BufferRing, UID: -1}, ""},
		{"unknown buffer", Open{Buffer: "foo", UID: -1}, "invalid --buffer"},
		{"pid that would wrap to 1", Open{Buffer: BufferPerf, PID: 1<<32 + 1, UID: -1}, "invalid --pid"},
		{"tid past PID_MAX_LIMIT", Open{Buffer: BufferPerf, TID: MaxPID + 1, UID: -1}, "invalid --tid"},
		{"uid that would wrap to root", Open{Buffer: BufferPerf, UID: 1 << 32}, "invalid --uid"},
		{"pages too large", Open{Buffer: BufferPerf, Pages: 1 << 17, UID: -1}, "invalid --pages"},
		{"failed needs the exit", Open{Buffer: BufferPerf, UID: -1, Failed: true, EntryOnly: true}, "--failed"},
		{"errors need the exit", Open{Buffer: BufferPerf, UID: -1, EntryOnly: true, Output: output.OpenOptions{ShowErrors: true}}, "--errors"},
		{"negative count", Open{Buffer: BufferPerf, UID: -1, Limits: Limits{Count: -1}}, "invalid --count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Validate() = %v, want %q", err, tt.err)
			}
		})
	}
	o := Open{Buffer: BufferRing, UID: -1}
	if err := o.Validate(); err != nil || o.Pages != DefaultRingPages {
		t.Errorf("ring default: pages %d, %v; want %d", o.Pages, err, DefaultRingPages)
	}
}
