package probe

import (
	"bytes"
	"os"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/bpf"
)

// TestObjectBytesMakeNoFile: the object's bytes reach libbpf without a
// file anywhere (a run killed with SIGKILL while loading leaves nothing
// behind), and libbpf reads exactly them.
func TestObjectBytesMakeNoFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	path, cleanup, err := objectFile(Spec{Name: "hello.bpf.o", Object: bpf.Hello})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("loading made %s in $TMPDIR", e.Name())
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, bpf.Hello) {
		t.Errorf("%s: %d bytes, err %v; want the object's %d bytes", path, len(got), err, len(bpf.Hello))
	}
	// Nobody can change what was checked before it is loaded.
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
		_, err = f.Write([]byte("x"))
		f.Close()
		if err == nil {
			t.Errorf("%s can be written to", path)
		}
	}
}
