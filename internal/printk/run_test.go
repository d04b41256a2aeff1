package printk

import (
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

var tutorialLines = []string{
	`           <...>-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello, World!`,
}

func TestOnlyOurLinesAreOurs(t *testing.T) {
	tests := []struct {
		line string
		ours bool
	}{
		{tutorialLines[0], true},
		{`    tmux: server-27663 [005] ...3 20803.072455: 0: Hello, World!`, true}, // pre-5.9 label
		{`             cat-5 [000] .... 1.000000: bpf_trace_printk: another program`, false},
		{`             cat-5 [000] .... 1.000000: tracing_mark_write: Hello, World!`, false},
	}
	for _, tt := range tests {
		if got := isOurs(tracepipe.Parse(tt.line)); got != tt.ours {
			t.Errorf("isOurs(%q) = %v, want %v", tt.line, got, tt.ours)
		}
	}
}
