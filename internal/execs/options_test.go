package execs

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		err  string // "" when valid
	}{
		{"defaults", Options{UID: -1}, ""},
		{"a uid", Options{UID: 0}, ""},
		{"kprobe is not offered", Options{Attach: "kprobe", UID: -1}, "invalid --attach"},
		{"negative pid", Options{PID: -1, UID: -1}, "invalid --pid"},
		{"pid past PID_MAX_LIMIT", Options{PID: MaxPID + 1, UID: -1}, "invalid --pid"},
		{"uid -2", Options{UID: -2}, "invalid --uid"},
		{"uid (uid_t)-1", Options{UID: MaxUID}, "invalid --uid"},
		{"pages not a power of two", Options{Pages: 3, UID: -1}, "invalid --pages"},
		{"negative count", Options{Count: -1, UID: -1}, "invalid --count"},
		{"negative duration", Options{Duration: -1, UID: -1}, "invalid --duration"},
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
	o := Options{UID: -1, Comm: "a-very-long-command-name"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.Comm != "a-very-long-com" || o.Pages == 0 {
		t.Errorf("comm %q pages %d, want the first 15 bytes and a default size", o.Comm, o.Pages)
	}
}
