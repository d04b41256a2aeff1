// Package testenv decides whether a test that needs the real kernel may run.
//
// Tests that load BPF or read tracefs need root. Without it they skip with a
// reason, unless EBPF_HELLO_REQUIRE_BPF=1 is set (as CI does): then a skip
// would hide a failure, so the test fails instead.
package testenv

import (
	"os"
	"testing"
	"time"
)

// Patience is how long a test waits for something that takes moments on
// an idle machine (a line, an event, an exit): workshop machines are shared
// and busy, so a test waits for the condition itself, and only a stuck one
// waits this long and fails.
const Patience = time.Minute

// RequireRoot skips (or, under EBPF_HELLO_REQUIRE_BPF=1, fails) the test when
// the process is not root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	Skip(t, "needs root to load BPF programs and read tracefs")
}

// Skip skips the test with reason, or fails it when skips are not allowed.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("EBPF_HELLO_REQUIRE_BPF") == "1" {
		t.Fatalf("EBPF_HELLO_REQUIRE_BPF=1 forbids skipping: %s", reason)
	}
	t.Skip(reason)
}
