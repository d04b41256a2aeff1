package event

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestHelloMessageMatchesObject: hello.bpf.c's hello_message (in .rodata,
// named in its BTF) is HelloMessage, the text printk looks for.
func TestHelloMessageMatchesObject(t *testing.T) {
	path := filepath.Join("..", "..", "bpf", "hello.bpf.o")
	if _, err := os.Stat(path); err != nil {
		testenv.Skip(t, path+" not built (run make bpf)")
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name != "hello_message" {
			continue
		}
		data, err := f.Sections[s.Section].Data()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(data[s.Value : s.Value+s.Size]); got != HelloMessage+"\x00" {
			t.Errorf("hello.bpf.c prints %q, Go expects %q", got, HelloMessage)
		}
		return
	}
	t.Fatal("no hello_message symbol in hello.bpf.o")
}
