package btfview

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// ParseSetting parses "NAME=VALUE" (--set) against the object's globals and
// returns the global and VALUE encoded as its type's bytes. Integers take
// decimal, 0x hex, 0o/0 octal or 0b binary, and must fit the type (a range
// error otherwise); bools true/false/1/0; enums a value's name or number;
// char arrays text (shorter than the array: it keeps its NUL).
func ParseSetting(globals map[string]Global, setting string) (Global, []byte, error) {
	name, text, ok := strings.Cut(setting, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Global{}, nil, fmt.Errorf("--set %s: want NAME=VALUE", textsafe.Escape(setting))
	}
	g, ok := globals[name]
	if !ok {
		return Global{}, nil, fmt.Errorf("--set %s: the program has no global variable %s (declare it `const volatile TYPE %s = DEFAULT;`)", textsafe.Escape(setting), textsafe.Escape(name), textsafe.Escape(name))
	}
	b, err := g.Type.Encode(text)
	if err != nil {
		return Global{}, nil, fmt.Errorf("--set %s: %w", textsafe.Escape(setting), err)
	}
	return g, b, nil
}

// Encode parses text as a value of the layout's type (a scalar or a char
// array) and returns its bytes.
func (l *Layout) Encode(text string) ([]byte, error) {
	if len(l.Fields) != 1 || l.Fields[0].Name != "" {
		return nil, fmt.Errorf("%s is a struct: only numbers, bools, enums and char arrays can be set", l.describe())
	}
	f := l.Fields[0]
	out := make([]byte, l.Size)
	put := func(u uint64) []byte {
		l.putUint(out[:f.Size], u)
		return out
	}
	t := strings.TrimSpace(text)
	bits := f.Size * 8
	switch f.Kind {
	case KindText:
		if len(text) >= f.Len {
			return nil, fmt.Errorf("%q is %d bytes: the char[%d] holds at most %d", textsafe.Escape(text), len(text), f.Len, f.Len-1)
		}
		copy(out, text)
		return out, nil
	case KindBool:
		v, err := strconv.ParseBool(t)
		if err != nil {
			return nil, fmt.Errorf("%q is not a bool (true, false, 1, 0)", textsafe.Escape(text))
		}
		if v {
			return put(1), nil
		}
		return put(0), nil
	case KindInt:
		v, err := strconv.ParseInt(t, 0, bits)
		if err != nil {
			lo, hi := -(int64(1) << (bits - 1)), int64(uint64(1)<<(bits-1)-1)
			return nil, numberError(text, err, fmt.Sprintf("%d..%d", lo, hi), bits, true)
		}
		return put(uint64(v)), nil
	case KindUint, KindPointer:
		v, err := strconv.ParseUint(t, 0, bits)
		if err != nil {
			hi := uint64(math.MaxUint64)
			if bits < 64 {
				hi = uint64(1)<<bits - 1
			}
			return nil, numberError(text, err, fmt.Sprintf("0..%d", hi), bits, false)
		}
		return put(v), nil
	case KindEnum:
		for _, e := range f.Enum.Values {
			if e.Name == t {
				return put(e.Value), nil
			}
		}
		var names []string
		for _, e := range f.Enum.Values {
			names = append(names, e.Name)
		}
		if v, err := strconv.ParseInt(t, 0, 64); err == nil {
			return put(uint64(v)), nil
		}
		return nil, fmt.Errorf("%q is not one of %s", textsafe.Escape(text), strings.Join(names, ", "))
	case KindFloat:
		v, err := strconv.ParseFloat(t, bits)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", textsafe.Escape(text))
		}
		if bits == 32 {
			return put(uint64(math.Float32bits(float32(v)))), nil
		}
		return put(math.Float64bits(v)), nil
	}
	return nil, fmt.Errorf("%s cannot be set from text", l.describe())
}

func numberError(text string, err error, span string, bits int, signed bool) error {
	kind := "u"
	if signed {
		kind = "s"
	}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return fmt.Errorf("%s is out of range for a %s%d (%s)", textsafe.Escape(text), kind, bits, span)
	}
	return fmt.Errorf("%q is not an integer (a %s%d: %s)", textsafe.Escape(text), kind, bits, span)
}
