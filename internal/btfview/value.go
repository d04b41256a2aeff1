package btfview

import (
	"math"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

const hexDigits = "0123456789abcdef"

// String is the value as shown on a terminal: integers in decimal,
// pointers in hex, enums by name, text escaped (textsafe).
func (v Value) String() string {
	return string(v.AppendText(nil))
}

// AppendText appends the terminal form of v.
func (v Value) AppendText(b []byte) []byte {
	if v.Name != "" && (v.Kind == KindInt || v.Kind == KindUint) {
		if v.NameOnly {
			return append(b, v.Name...) // from valuenames: printable
		}
		b = v.number(b)
		return append(append(append(b, " ("...), v.Name...), ')')
	}
	switch v.Kind {
	case KindInt, KindUint:
		return v.number(b)
	case KindAddress:
		return append(b, v.Text...) // made by netip: printable
	case KindBool:
		return strconv.AppendBool(b, v.Uint != 0)
	case KindPointer:
		return strconv.AppendUint(append(b, "0x"...), v.Uint, 16)
	case KindFloat:
		return strconv.AppendFloat(b, v.Float, 'g', -1, 64)
	case KindEnum:
		if v.Text != "" {
			return textsafe.Append(b, v.Text) // a name from the object's BTF
		}
		return strconv.AppendInt(b, int64(v.Uint), 10)
	case KindText:
		return textsafe.Append(b, v.Text)
	case KindBytes:
		for _, c := range []byte(v.Text) {
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		return b
	case KindList:
		b = append(b, '[')
		for i, e := range v.List {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = e.AppendText(b)
		}
		return append(b, ']')
	case KindRecord:
		b = append(b, '{')
		for i, f := range v.Fields {
			if i > 0 {
				b = append(b, ' ')
			}
			if f.Name != "" {
				b = textsafe.Append(b, f.Name)
				b = append(b, '=')
			}
			b = f.Value.AppendText(b)
		}
		return append(b, '}')
	}
	return b
}

func (v Value) number(b []byte) []byte {
	if v.Kind == KindInt {
		return strconv.AppendInt(b, v.Int, 10)
	}
	return strconv.AppendUint(b, v.Uint, 10)
}

// AppendJSON appends v as JSON. Integers are numbers (exact: written as
// text), text is escaped by textsafe then JSON-quoted, so odd bytes survive
// and textsafe.Unescape gives them back; pointers and bytes are hex strings.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.Kind {
	case KindInt, KindUint:
		return v.number(b)
	case KindAddress:
		return textsafe.AppendJSON(b, v.Text)
	case KindBool:
		return strconv.AppendBool(b, v.Uint != 0)
	case KindFloat:
		if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			return textsafe.AppendJSON(b, strconv.FormatFloat(v.Float, 'g', -1, 64))
		}
		return strconv.AppendFloat(b, v.Float, 'g', -1, 64)
	case KindEnum:
		if v.Text == "" {
			return strconv.AppendInt(b, int64(v.Uint), 10)
		}
		return textsafe.AppendJSON(b, v.Text)
	case KindPointer, KindBytes:
		return textsafe.AppendJSON(b, v.String())
	case KindText:
		return textsafe.AppendJSON(b, textsafe.Escape(v.Text))
	case KindList:
		b = append(b, '[')
		for i, e := range v.List {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.AppendJSON(b)
		}
		return append(b, ']')
	case KindRecord:
		return Record(v.Fields).AppendJSON(b)
	}
	return append(b, "null"...)
}

// AppendJSON appends the record as one JSON object, keys in field order.
// A record of one unnamed scalar is that scalar.
func (r Record) AppendJSON(b []byte) []byte {
	if len(r) == 1 && r[0].Name == "" {
		return r[0].Value.AppendJSON(b)
	}
	b = append(b, '{')
	for i, f := range r {
		if i > 0 {
			b = append(b, ',')
		}
		b = textsafe.AppendJSON(b, f.Name)
		b = append(b, ':')
		b = f.Value.AppendJSON(b)
		if f.Value.Name != "" && !r.has(f.Name+"_name") { // "ret": -2, "ret_name": "ENOENT"
			b = append(b, ',')
			b = textsafe.AppendJSON(b, f.Name+"_name")
			b = append(b, ':')
			b = textsafe.AppendJSON(b, f.Value.Name)
		}
	}
	return append(b, '}')
}

// has: the record has a field of that name.
func (r Record) has(name string) bool {
	for _, f := range r {
		if f.Name == name {
			return true
		}
	}
	return false
}

// String shows the record on one line: "name=value ..." (the value alone
// for an unnamed scalar).
func (r Record) String() string {
	if len(r) == 1 && r[0].Name == "" {
		return r[0].Value.String()
	}
	var s strings.Builder
	for i, f := range r {
		if i > 0 {
			s.WriteByte(' ')
		}
		s.WriteString(textsafe.Escape(f.Name))
		s.WriteByte('=')
		s.Write(f.Value.AppendText(nil))
	}
	return s.String()
}
