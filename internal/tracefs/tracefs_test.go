package tracefs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

func TestEnsureFindsOrMountsTracefs(t *testing.T) {
	testenv.RequireRoot(t)
	var notes []string
	root, err := Ensure(func(m string) { notes = append(notes, m) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "trace_pipe")); err != nil {
		t.Errorf("%s has no trace_pipe: %v", root, err)
	}
	found, err := Find()
	if err != nil || found != root {
		t.Errorf("Find after Ensure = %q, %v; want %q", found, err, root)
	}
	t.Logf("tracefs at %s, notes %q", root, notes)
}

func TestAnEmptyDirectoryIsNotTracefs(t *testing.T) {
	if isTracefs(t.TempDir()) {
		t.Error("a temporary directory was taken for tracefs")
	}
}
