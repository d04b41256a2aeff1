package probe

import (
	"strings"
	"testing"
)

// TestNoTrampoline: fentry/fexit refused with ENOTSUPP says why, and on
// arm64 from which kernel it works (Debian 12's arm64 6.1 refuses it).
func TestNoTrampoline(t *testing.T) {
	if got := noTrampoline("arm64"); !strings.Contains(got, "ENOTSUPP") || !strings.Contains(got, "arm64 kernels can from 6.4") {
		t.Errorf("noTrampoline(arm64) = %q", got)
	}
	if got := noTrampoline("amd64"); strings.Contains(got, "arm64") || !strings.Contains(got, "cannot attach fentry/fexit") {
		t.Errorf("noTrampoline(amd64) = %q", got)
	}
}
