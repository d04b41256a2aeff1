package btfview

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
)

// Object is the BTF of one compiled BPF object.
type Object struct {
	spec  *btf.Spec
	order binary.ByteOrder
	raw   []byte // the object, for types only its DWARF has (dwarf.go)

	accesses  []bpfuse.Access // how the code uses globals, read once (settable.go)
	accessErr error
}

// Load reads the BTF of a BPF ELF object (clang -g puts it in .BTF).
func Load(obj []byte) (*Object, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("not a BPF object: %w", err)
	}
	order := f.ByteOrder
	f.Close()
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(obj))
	if errors.Is(err, btf.ErrNotFound) {
		return nil, errors.New("the object has no BTF: compile it with clang -g")
	}
	if err != nil {
		return nil, fmt.Errorf("read the object's BTF: %w", err)
	}
	return &Object{spec: spec, order: order, raw: obj}, nil
}

// Struct returns the layout of the struct or union called name (a typedef
// of one works too).
func (o *Object) Struct(name string) (*Layout, error) {
	types, err := o.spec.AnyTypesByName(name)
	if err != nil {
		// Used only as a local variable or a pointer's target: clang left it
		// out of BTF, but -g keeps it in DWARF.
		t, dwarfErr := dwarfStruct(o.raw, name)
		if dwarfErr == nil {
			l, err := NewLayout(t, o.order)
			if l != nil {
				l.Found = "in the object's DWARF (it is only a local variable's or a pointer's type, which BTF leaves out)"
			}
			return l, err
		}
		return nil, fmt.Errorf("no type %q in the object's BTF or DWARF (%v): compile it with clang -g, or keep the type in BTF with a typed global, e.g. `const struct %s *unused __attribute__((unused));`", name, dwarfErr, name)
	}
	for _, t := range types {
		switch btf.UnderlyingType(t).(type) {
		case *btf.Struct, *btf.Union:
			return NewLayout(t, o.order)
		}
	}
	return nil, fmt.Errorf("%q in the object's BTF is not a struct or union", name)
}

// Map is a BTF-defined map of the object (SEC(".maps")).
type Map struct {
	Name       string
	Type       uint32 // BPF_MAP_TYPE_* number (see MapType*)
	MaxEntries uint32
	Key, Value *Layout // nil when the map gives only key_size/value_size
	KeySize    int
	ValueSize  int
}

// The map types printers care about (linux/bpf.h numbers).
const (
	MapTypeHash           = 1
	MapTypeArray          = 2
	MapTypePerfEventArray = 4
	MapTypePercpuHash     = 5
	MapTypePercpuArray    = 6
	MapTypeLRUHash        = 9
	MapTypeLRUPercpuHash  = 10
	MapTypeStackTrace     = 7
	MapTypeRingbuf        = 27
)

// IsArray: every slot exists (zero slots are skipped when printing).
func (m Map) IsArray() bool { return m.Type == MapTypeArray || m.Type == MapTypePercpuArray }

// PerCPU: a lookup returns one value per possible CPU.
func (m Map) PerCPU() bool {
	return m.Type == MapTypePercpuHash || m.Type == MapTypePercpuArray || m.Type == MapTypeLRUPercpuHash
}

// Maps lists the BTF-defined maps, by name.
func (o *Object) Maps() ([]Map, error) {
	sec, err := o.datasec(".maps")
	if err != nil || sec == nil {
		return nil, err
	}
	var maps []Map
	for _, v := range sec.Vars {
		vr, ok := v.Type.(*btf.Var)
		if !ok {
			continue
		}
		def, ok := btf.As[*btf.Struct](vr.Type)
		if !ok {
			continue
		}
		m, err := o.mapFromDef(vr.Name, def)
		if err != nil {
			return nil, err
		}
		maps = append(maps, m)
	}
	sort.Slice(maps, func(i, j int) bool { return maps[i].Name < maps[j].Name })
	return maps, nil
}

// Map returns the map called name.
func (o *Object) Map(name string) (Map, error) {
	maps, err := o.Maps()
	if err != nil {
		return Map{}, err
	}
	for _, m := range maps {
		if m.Name == name {
			return m, nil
		}
	}
	return Map{}, fmt.Errorf("no map %q in the object (BTF-defined maps in SEC(\".maps\"))", name)
}

// mapFromDef reads libbpf's map definition conventions: __uint(name, N) is
// a pointer to an array of N ints, __type(name, T) a pointer to T.
func (o *Object) mapFromDef(name string, def *btf.Struct) (Map, error) {
	m := Map{Name: name}
	for _, f := range def.Members {
		ptr, ok := btf.As[*btf.Pointer](f.Type)
		if !ok {
			continue
		}
		switch f.Name {
		case "type", "max_entries", "key_size", "value_size":
			arr, ok := btf.As[*btf.Array](ptr.Target)
			if !ok {
				continue
			}
			switch f.Name {
			case "type":
				m.Type = arr.Nelems
			case "max_entries":
				m.MaxEntries = arr.Nelems
			case "key_size":
				m.KeySize = int(arr.Nelems)
			case "value_size":
				m.ValueSize = int(arr.Nelems)
			}
		case "key", "value":
			l, err := NewLayout(ptr.Target, o.order)
			if err != nil {
				return Map{}, fmt.Errorf("map %s %s: %w", name, f.Name, err)
			}
			if f.Name == "key" {
				m.Key, m.KeySize = l, l.Size
			} else {
				m.Value, m.ValueSize = l, l.Size
			}
		}
	}
	return m, nil
}

func (o *Object) datasec(name string) (*btf.Datasec, error) {
	var sec *btf.Datasec
	if err := o.spec.TypeByName(name, &sec); err != nil {
		if errors.Is(err, btf.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return sec, nil
}

// Global is a variable of .rodata, .bss or .data (and their .rodata.NAME
// kin): what `--set NAME=VALUE` may change before load.
type Global struct {
	Name    string
	Section string // ".rodata", ".bss", ...
	Offset  int    // in the section
	Type    *Layout
	// ReadOnly: declared const volatile (in .rodata): the verifier sees the
	// value as a constant, so it must be set before load.
	ReadOnly bool
	// Volatile: declared volatile. A const global without it is folded
	// into the code by clang: setting it changes nothing.
	Volatile bool
}

// Globals returns the object's global variables by name.
func (o *Object) Globals() (map[string]Global, error) {
	globals := map[string]Global{}
	for t, err := range o.spec.All() {
		if err != nil {
			return nil, err
		}
		sec, ok := t.(*btf.Datasec)
		if !ok || !(isSection(sec.Name, ".rodata") || isSection(sec.Name, ".bss") || isSection(sec.Name, ".data")) {
			continue
		}
		for _, v := range sec.Vars {
			vr, ok := v.Type.(*btf.Var)
			if !ok {
				continue
			}
			l, err := NewLayout(vr.Type, o.order)
			if err != nil {
				return nil, fmt.Errorf("global %s: %w", vr.Name, err)
			}
			globals[vr.Name] = Global{Name: vr.Name, Section: sec.Name, Offset: int(v.Offset), Type: l,
				ReadOnly: isSection(sec.Name, ".rodata"), Volatile: isVolatile(vr.Type)}
		}
	}
	return globals, nil
}

func isSection(name, kind string) bool {
	return name == kind || strings.HasPrefix(name, kind+".")
}

// isVolatile: t is qualified volatile (under any const or typedef-free
// qualifiers in front of it).
func isVolatile(t btf.Type) bool {
	for {
		switch q := t.(type) {
		case *btf.Volatile:
			return true
		case *btf.Const:
			t = q.Type
		case *btf.Restrict:
			t = q.Type
		default:
			return false
		}
	}
}
