package btfview

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// A struct a program uses only as a local variable or as what a pointer
// points at (`struct event *e = bpf_ringbuf_reserve(...)`, libbpf-tools'
// and libbpf-bootstrap's way) is not in the object's BTF: clang's BTF
// holds only the types of globals, maps and functions. clang -g also
// writes DWARF, which holds every type a function uses; the struct is read
// from there and turned into BTF types, so the rest of btfview is the same.

// dwarfOf reads the object's DWARF. Go's debug/elf cannot apply BPF
// relocations, so the sections are read as they are: in a relocatable BPF
// object the relocations of the debug sections are against section symbols
// of value 0, leaving the offsets already in place as they are.
func dwarfOf(obj []byte) (*dwarf.Data, error) {
	return dwarfShifted(obj, 0)
}

// dwarfShifted is dwarfOf with the first skip bytes of .debug_str_offsets
// left out. Go before 1.24 forgets a unit's DW_AT_str_offsets_base when it
// reads a type at an offset (Data.Type), so DWARF 5's indexed names came
// out as other names; with the section shifted by that base, its Type
// reads them right (forTypes checks which this Go needs).
func dwarfShifted(obj []byte, skip int64) (*dwarf.Data, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	section := func(name string) []byte {
		s := f.Section(name)
		if s == nil || s.Type == elf.SHT_NOBITS {
			return nil
		}
		b, err := s.Data()
		if err != nil {
			return nil
		}
		return b
	}
	info := section(".debug_info")
	if info == nil {
		return nil, errors.New("the object has no DWARF (.debug_info): compile it with clang -g")
	}
	d, err := dwarf.New(section(".debug_abbrev"), nil, nil, info, section(".debug_line"), nil, section(".debug_ranges"), section(".debug_str"))
	if err != nil {
		return nil, err
	}
	for _, name := range []string{".debug_str_offsets", ".debug_addr", ".debug_line_str", ".debug_rnglists", ".debug_loclists"} {
		if b := section(name); b != nil {
			if name == ".debug_str_offsets" && skip > 0 && skip <= int64(len(b)) {
				b = b[skip:]
			}
			if err := d.AddSection(name, b); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// dwarfStruct finds the struct or union (or typedef of one) called name in
// the object's DWARF, as a BTF type.
func dwarfStruct(obj []byte, name string) (btf.Type, error) {
	d, err := dwarfOf(obj)
	if err != nil {
		return nil, err
	}
	types := forTypes(obj, d)
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("read the object's DWARF: %w", err)
		}
		if e == nil {
			return nil, fmt.Errorf("no type %q in the object's DWARF", name)
		}
		switch e.Tag {
		case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagTypedef:
		default:
			continue
		}
		if n, _ := e.Val(dwarf.AttrName).(string); n != name {
			continue
		}
		if decl, _ := e.Val(dwarf.AttrDeclaration).(bool); decl {
			continue // a forward declaration: the definition comes elsewhere
		}
		t, err := types.Type(e.Offset)
		if err != nil {
			return nil, fmt.Errorf("read %s from the object's DWARF: %w", name, err)
		}
		conv := dwarfConverter{done: map[dwarf.Type]btf.Type{}}
		bt, err := conv.convert(t, 0)
		if err != nil {
			return nil, fmt.Errorf("%s in the object's DWARF: %w", name, err)
		}
		switch btf.UnderlyingType(bt).(type) {
		case *btf.Struct, *btf.Union:
			return bt, nil
		}
	}
}

// maxDWARFDepth bounds the nesting of types converted (the DWARF comes from
// an object a user gave; a cycle goes through a pointer, which stops it).
const maxDWARFDepth = 64

type dwarfConverter struct {
	done map[dwarf.Type]btf.Type
}

func (c *dwarfConverter) convert(t dwarf.Type, depth int) (btf.Type, error) {
	if depth > maxDWARFDepth {
		return nil, errors.New("types nested too deeply")
	}
	if bt, ok := c.done[t]; ok {
		return bt, nil
	}
	var out btf.Type
	switch t := t.(type) {
	case *dwarf.BoolType:
		out = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Bool}
	case *dwarf.CharType:
		out = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Signed | btf.Char}
	case *dwarf.UcharType:
		out = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Char}
	case *dwarf.IntType:
		out = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Signed}
	case *dwarf.UintType:
		out = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize)}
	case *dwarf.FloatType:
		out = &btf.Float{Name: t.Name, Size: uint32(t.ByteSize)}
	case *dwarf.PtrType:
		// What a pointer points at is not part of the event: never followed.
		out = &btf.Pointer{Target: &btf.Void{}}
	case *dwarf.QualType:
		return c.convert(t.Type, depth+1)
	case *dwarf.TypedefType:
		td := &btf.Typedef{Name: t.Name}
		c.done[t] = td
		target, err := c.convert(t.Type, depth+1)
		if err != nil {
			return nil, err
		}
		td.Type = target
		return td, nil
	case *dwarf.ArrayType:
		elem, err := c.convert(t.Type, depth+1)
		if err != nil {
			return nil, err
		}
		n := t.Count
		if n < 0 {
			n = 0 // a flexible array member: no room in the struct
		}
		out = &btf.Array{Index: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}, Type: elem, Nelems: uint32(n)}
	case *dwarf.EnumType:
		e := &btf.Enum{Name: t.EnumName, Size: uint32(t.ByteSize)}
		for _, v := range t.Val {
			e.Values = append(e.Values, btf.EnumValue{Name: v.Name, Value: uint64(v.Val)})
			if v.Val < 0 {
				e.Signed = true
			}
		}
		out = e
	case *dwarf.StructType:
		if t.Incomplete {
			return nil, fmt.Errorf("%s is only declared", t.String())
		}
		var members []btf.Member
		var s btf.Type
		if t.Kind == "union" {
			u := &btf.Union{Name: t.StructName, Size: uint32(t.ByteSize)}
			c.done[t], s = u, u
			defer func() { u.Members = members }()
		} else {
			st := &btf.Struct{Name: t.StructName, Size: uint32(t.ByteSize)}
			c.done[t], s = st, st
			defer func() { st.Members = members }()
		}
		for _, f := range t.Field {
			ft, err := c.convert(f.Type, depth+1)
			if err != nil {
				return nil, err
			}
			m := btf.Member{Name: f.Name, Type: ft, Offset: btf.Bits(f.ByteOffset * 8)}
			if f.BitSize > 0 {
				m.BitfieldSize = btf.Bits(f.BitSize)
				m.Offset = bitOffset(f)
			}
			members = append(members, m)
		}
		return s, nil
	case *dwarf.VoidType:
		out = &btf.Void{}
	default:
		return nil, fmt.Errorf("type %s cannot be shown", t.String())
	}
	c.done[t] = out
	return out, nil
}

// bitOffset is where a bit-field starts, in bits from the struct's start:
// DWARF 4 and later say it (DW_AT_data_bit_offset); before, DW_AT_bit_offset
// counted from the most significant bit of the field's storage unit
// (ByteSize bytes at ByteOffset), on this little-endian target.
func bitOffset(f *dwarf.StructField) btf.Bits {
	if f.DataBitOffset != 0 || f.BitOffset == 0 && f.ByteSize == 0 {
		return btf.Bits(f.DataBitOffset)
	}
	return btf.Bits(f.ByteOffset*8 + f.ByteSize*8 - f.BitOffset - f.BitSize)
}

// forTypes returns the DWARF data whose Type reads names right: d itself,
// or d with .debug_str_offsets shifted by the unit's base when this Go's
// Type does not apply it (the first named type read both ways tells).
func forTypes(obj []byte, d *dwarf.Data) *dwarf.Data {
	r := d.Reader()
	var base int64
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return d
		}
		if e.Tag == dwarf.TagCompileUnit {
			base, _ = e.Val(dwarf.AttrStrOffsetsBase).(int64)
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if base == 0 || name == "" || (e.Tag != dwarf.TagTypedef && e.Tag != dwarf.TagBaseType) {
			continue
		}
		t, err := d.Type(e.Offset)
		if err != nil || t.Common().Name == name {
			return d
		}
		if shifted, err := dwarfShifted(obj, base); err == nil {
			return shifted
		}
		return d
	}
}
