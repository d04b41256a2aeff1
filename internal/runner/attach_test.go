package runner

import (
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// TestNoneAttachedSaysWhy: when every program was left out, the error
// names the first and how many more, not just "no program could attach".
func TestNoneAttachedSaysWhy(t *testing.T) {
	entries := []*entry{
		{want: runplan.Attach{Program: "file_read_fentry"}, dropped: true, how: "fentry dummy_file_read: this kernel has no such function: left out"},
		{want: runplan.Attach{Program: "file_write_fentry"}, dropped: true, how: "fentry dummy_file_write: this kernel has no such function: left out"},
	}
	err := noneAttached(entries)
	if err == nil || !strings.Contains(err.Error(), "file_read_fentry: fentry dummy_file_read") || !strings.Contains(err.Error(), "and 1 more") {
		t.Errorf("noneAttached = %v", err)
	}
	if err := noneAttached(nil); err == nil || err.Error() != "no program could attach" {
		t.Errorf("no entries: %v", err)
	}
}
