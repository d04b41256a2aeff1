package btfview

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// maxDepth bounds nested structs and arrays: BTF comes from the learner's
// object, and a printer must not recurse without end on a strange one.
const maxDepth = 32

// Layout is how to decode one BTF type: its leaf fields in order, with
// offsets, nested structs and unions flattened into dotted names.
type Layout struct {
	Name   string // the type's name ("" if anonymous)
	Size   int    // bytes
	Fields []Field
	order  binary.ByteOrder
	// Found says how the type was found, for run --explain ("by the
	// marker unused_rb, a global that points at it"); "" when not told.
	Found string
}

// Field is one leaf of a Layout.
type Field struct {
	Name    string // dotted path; "" for a layout that is a single scalar
	Offset  int    // bytes from the start
	BitOff  int    // bitfields: bit offset from the start; BitSize 0 otherwise
	BitSize int
	Kind    Kind
	Size    int       // bytes of the leaf (of one element for arrays)
	Enum    *btf.Enum // KindEnum
	Len     int       // KindText, KindList: number of elements
	Elem    *Layout   // KindList: one element
	BTF     btf.Type  // the field's type, for callers that want more
	// Meaning is what the number stands for (MakeReadable); MeanNumber
	// unless asked. Family is the family field's index, for MeanIP.
	Meaning Meaning
	Family  int
}

// Kind is how a leaf is shown.
type Kind int

// The kinds of leaves.
const (
	KindUint    Kind = iota // unsigned integer, decimal
	KindInt                 // signed integer, decimal
	KindBool                // true/false
	KindEnum                // by name
	KindPointer             // hex
	KindFloat
	KindText   // char array: text up to the first NUL
	KindList   // array of anything but char: a list
	KindRecord // a struct or union element of a list (a decoded value only)
	KindBytes  // anything else (void, functions): hex bytes
	// KindAddress is an IP address as text (a decoded value only: a field
	// whose Meaning is an address).
	KindAddress
)

// NewLayout builds the layout of t.
func NewLayout(t btf.Type, order binary.ByteOrder) (*Layout, error) {
	size, err := btf.Sizeof(t)
	if err != nil {
		return nil, fmt.Errorf("type %s has no size: %w", typeName(t), err)
	}
	l := &Layout{Name: typeName(t), Size: size, order: order}
	if err := l.add("", t, 0, 0); err != nil {
		return nil, err
	}
	return l, nil
}

func typeName(t btf.Type) string {
	for t != nil {
		if n := t.TypeName(); n != "" {
			return n
		}
		q := btf.QualifiedType(t)
		if q == t {
			break
		}
		t = q
	}
	return ""
}

func join(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == "": // anonymous struct or union member: C names its fields directly
		return prefix
	}
	return prefix + "." + name
}

func (l *Layout) add(name string, t btf.Type, off int, depth int) error {
	if depth > maxDepth {
		return errors.New("types nested too deeply")
	}
	u := btf.UnderlyingType(t)
	switch v := u.(type) {
	case *btf.Struct:
		return l.addMembers(name, v.Members, off, depth)
	case *btf.Union:
		return l.addMembers(name, v.Members, off, depth)
	}
	f, err := leaf(name, t, off, l.order, depth)
	if err != nil {
		return err
	}
	l.Fields = append(l.Fields, f)
	return nil
}

func (l *Layout) addMembers(prefix string, members []btf.Member, off int, depth int) error {
	for _, m := range members {
		name := join(prefix, m.Name)
		if m.BitfieldSize > 0 {
			f, err := leaf(name, m.Type, off+int(m.Offset)/8, l.order, depth)
			if err != nil {
				return err
			}
			f.BitOff, f.BitSize = off*8+int(m.Offset), int(m.BitfieldSize)
			l.Fields = append(l.Fields, f)
			continue
		}
		if m.Offset%8 != 0 {
			return fmt.Errorf("field %s is not byte aligned", name)
		}
		if err := l.add(name, m.Type, off+int(m.Offset)/8, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// leaf describes a non-struct field.
func leaf(name string, t btf.Type, off int, order binary.ByteOrder, depth int) (Field, error) {
	f := Field{Name: name, Offset: off, BTF: t}
	size, err := btf.Sizeof(t)
	if err != nil {
		size = 0
	}
	f.Size = size
	switch v := btf.UnderlyingType(t).(type) {
	case *btf.Int:
		switch {
		case v.Encoding&btf.Bool != 0:
			f.Kind = KindBool
		case v.Encoding&btf.Signed != 0:
			f.Kind = KindInt
		default:
			f.Kind = KindUint
		}
		if v.Size > 8 {
			f.Kind = KindBytes // __int128
		}
	case *btf.Enum:
		f.Kind, f.Enum = KindEnum, v
	case *btf.Pointer:
		f.Kind = KindPointer
	case *btf.Float:
		f.Kind = KindFloat
	case *btf.Array:
		f.Len = int(v.Nelems)
		if isChar(v.Type) {
			f.Kind, f.Size = KindText, 1
			break
		}
		elem, err := NewLayout(v.Type, order)
		if err != nil {
			return Field{}, fmt.Errorf("%s: %w", name, err)
		}
		if depth > maxDepth {
			return Field{}, errors.New("types nested too deeply")
		}
		f.Kind, f.Elem, f.Size = KindList, elem, elem.Size
	default:
		f.Kind = KindBytes
	}
	return f, nil
}

// isChar: char, signed char and unsigned char arrays hold text (u8 arrays
// of addresses are unsigned char too, but by name: __u8/u8/uint8_t).
func isChar(t btf.Type) bool {
	i, ok := btf.UnderlyingType(t).(*btf.Int)
	if !ok || i.Size != 1 {
		return false
	}
	// A typedef such as u8 or __u8 means bytes (an address, a hash), even
	// of a char DWARF marks as one; plain "char" types mean text.
	name := typeName(t)
	if strings.Contains(name, "u8") || strings.Contains(name, "s8") || strings.Contains(name, "int8") {
		return false
	}
	return i.Encoding&btf.Char != 0 || strings.Contains(name, "char")
}

// Names returns the fields' names, in order (the table's columns).
func (l *Layout) Names() []string {
	names := make([]string, len(l.Fields))
	for i, f := range l.Fields {
		names[i] = f.Name
	}
	return names
}
