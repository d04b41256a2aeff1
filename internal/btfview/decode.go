package btfview

import (
	"fmt"
	"math"
)

// Value is one decoded field.
type Value struct {
	Kind   Kind
	Int    int64   // KindInt
	Uint   uint64  // KindUint, KindPointer, KindBool (0/1), KindEnum (raw)
	Float  float64 // KindFloat
	Text   string  // KindText: raw bytes up to the first NUL; KindEnum: the value's name ("" if none); KindBytes: raw bytes
	List   []Value // KindList
	Fields []Named // KindRecord
	// Name is what a KindInt or KindUint stands for ("ENOENT", "SIGUSR1"),
	// from its field's Meaning; "" for none. The terminal shows "-2 (ENOENT)",
	// or the name alone when NameOnly ("O_RDONLY|O_CLOEXEC"); JSON keeps the
	// number and adds the name beside it.
	Name     string
	NameOnly bool
}

// Named is a value with its field name.
type Named struct {
	Name  string
	Value Value
}

// Record is one decoded sample: its fields in the order of the layout.
type Record []Named

// Decode decodes b by the layout. A sample longer than the type is decoded
// by the type's size (perf samples carry padding); a shorter one is an error.
func (l *Layout) Decode(b []byte) (Record, error) {
	return l.decodeInto(make(Record, 0, len(l.Fields)), b)
}

// decodeInto decodes b into rec's array (rec is empty; its room is reused).
func (l *Layout) decodeInto(rec Record, b []byte) (Record, error) {
	if len(b) < l.Size {
		return nil, fmt.Errorf("sample of %d bytes is shorter than %s (%d bytes)", len(b), l.describe(), l.Size)
	}
	b = b[:l.Size]
	for i := range l.Fields {
		v, err := l.Fields[i].decode(b, l)
		if err != nil {
			return nil, err
		}
		if l.Fields[i].Meaning != MeanNumber {
			v = l.readable(&l.Fields[i], v, b)
		}
		rec = append(rec, Named{Name: l.Fields[i].Name, Value: v})
	}
	return rec, nil
}

func (l *Layout) describe() string {
	if l.Name == "" {
		return "the type"
	}
	return "type " + l.Name
}

func (f *Field) decode(b []byte, l *Layout) (Value, error) {
	if f.BitSize > 0 {
		return f.bitfield(b, l)
	}
	end := f.Offset + f.Size
	if f.Kind == KindText || f.Kind == KindList {
		end = f.Offset + f.Size*f.Len
	}
	if f.Offset < 0 || end > len(b) || end < f.Offset {
		return Value{}, fmt.Errorf("field %s lies outside its type (%d..%d of %d bytes)", f.Name, f.Offset, end, len(b))
	}
	raw := b[f.Offset:end]
	switch f.Kind {
	case KindText:
		for i, c := range raw {
			if c == 0 {
				raw = raw[:i]
				break
			}
		}
		return Value{Kind: KindText, Text: string(raw)}, nil
	case KindList:
		list := make([]Value, 0, f.Len)
		for i := 0; i < f.Len; i++ {
			elem := raw[i*f.Size : (i+1)*f.Size]
			rec, err := f.Elem.Decode(elem)
			if err != nil {
				return Value{}, err
			}
			if len(f.Elem.Fields) == 1 && f.Elem.Fields[0].Name == "" {
				list = append(list, rec[0].Value)
			} else {
				list = append(list, Value{Kind: KindRecord, Fields: rec})
			}
		}
		return Value{Kind: KindList, List: list}, nil
	case KindBytes:
		return Value{Kind: KindBytes, Text: string(raw)}, nil
	}
	u, ok := l.uint(raw)
	if !ok {
		return Value{Kind: KindBytes, Text: string(raw)}, nil
	}
	return scalar(f, u), nil
}

// scalar turns the raw bits of an integer-like field into its Value.
func scalar(f *Field, u uint64) Value {
	bits := f.Size * 8
	if f.BitSize > 0 {
		bits = f.BitSize
	}
	switch f.Kind {
	case KindInt:
		return Value{Kind: KindInt, Int: signExtend(u, bits)}
	case KindBool:
		return Value{Kind: KindBool, Uint: u}
	case KindPointer:
		return Value{Kind: KindPointer, Uint: u}
	case KindFloat:
		switch f.Size {
		case 4:
			return Value{Kind: KindFloat, Float: float64(math.Float32frombits(uint32(u)))}
		case 8:
			return Value{Kind: KindFloat, Float: math.Float64frombits(u)}
		}
		return Value{Kind: KindUint, Uint: u}
	case KindEnum:
		v := Value{Kind: KindEnum, Uint: u}
		if f.Enum.Signed {
			v.Uint = uint64(signExtend(u, bits))
		}
		for _, e := range f.Enum.Values {
			if e.Value == v.Uint {
				v.Text = e.Name
				break
			}
		}
		return v
	}
	return Value{Kind: KindUint, Uint: u}
}

func signExtend(u uint64, bits int) int64 {
	if bits <= 0 || bits >= 64 {
		return int64(u)
	}
	shift := 64 - bits
	return int64(u<<shift) >> shift
}

// uint reads a 1, 2, 4 or 8 byte integer in the object's byte order.
func (l *Layout) uint(raw []byte) (uint64, bool) {
	switch len(raw) {
	case 1:
		return uint64(raw[0]), true
	case 2:
		return uint64(l.order.Uint16(raw)), true
	case 4:
		return uint64(l.order.Uint32(raw)), true
	case 8:
		return l.order.Uint64(raw), true
	}
	return 0, false
}

// bitfield extracts BitSize bits at BitOff. BTF counts bit offsets in the
// order of the object's bytes: from the least significant bit of the first
// byte on little-endian, from the most significant on big-endian.
func (f *Field) bitfield(b []byte, l *Layout) (Value, error) {
	if f.BitSize > 64 || f.BitOff < 0 || (f.BitOff+f.BitSize+7)/8 > len(b) {
		return Value{}, fmt.Errorf("bitfield %s lies outside its type", f.Name)
	}
	little := l.order.Uint16([]byte{1, 0}) == 1
	var u uint64
	for i := 0; i < f.BitSize; i++ {
		var bit int
		if little {
			p := f.BitOff + i
			bit = int(b[p/8]>>(p%8)) & 1
			u |= uint64(bit) << i
		} else {
			p := f.BitOff + i
			bit = int(b[p/8]>>(7-p%8)) & 1
			u = u<<1 | uint64(bit)
		}
	}
	return scalar(f, u), nil
}
