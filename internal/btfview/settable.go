package btfview

import (
	"bytes"
	"debug/elf"
	"fmt"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// Use says what the object's code does with g (bpfuse), and ok false when
// the code could not be read (then nothing is known).
func (o *Object) Use(g Global) (bpfuse.Use, bool) {
	if o.accesses == nil && o.accessErr == nil {
		o.accesses, o.accessErr = bpfuse.Accesses(o.raw)
		if o.accesses == nil && o.accessErr == nil {
			o.accesses = []bpfuse.Access{}
		}
	}
	if o.accessErr != nil {
		return bpfuse.Use{}, false
	}
	return bpfuse.Of(o.accesses, g.Section, g.Offset, g.Type.Size), true
}

// Settable says why `--set NAME=...` on g would change nothing the
// program does (nil: it may).
func (o *Object) Settable(g Global) error {
	u, known := o.Use(g)
	if !known {
		return nil
	}
	name := textsafe.Escape(g.Name)
	switch {
	case g.ReadOnly && !g.Volatile && !u.Referenced():
		return fmt.Errorf("--set %s: %s is declared const without volatile, so clang folded its value into the code and setting it changes nothing: declare it `const volatile`", name, name)
	case !u.Referenced():
		return fmt.Errorf("--set %s: the compiled code never reads %s: setting it changes nothing", name, name)
	case !g.ReadOnly && u.Write && !u.Read && !u.Helper:
		return fmt.Errorf("--set %s: the program only writes %s (a result, not a setting): a value set before load is overwritten", name, name)
	}
	return nil
}

// Default is g's value as compiled (.bss: zero).
func (o *Object) Default(g Global) (Record, error) {
	f, err := elf.NewFile(bytes.NewReader(o.raw))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, g.Type.Size)
	if s := f.Section(g.Section); s != nil && s.Type != elf.SHT_NOBITS {
		data, err := s.Data()
		if err != nil {
			return nil, err
		}
		if g.Offset+g.Type.Size <= len(data) {
			copy(b, data[g.Offset:])
		}
	}
	return g.Type.Decode(b)
}
