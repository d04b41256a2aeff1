// Package pyfmt formats values with Python's printf-style "%" operator,
// so rows printed by `ebpf-hello run hello2.py` look exactly like those
// `python3 hello2.py` prints ("%-18.9f %-16s %-6d %-16s"), and fills a
// runplan.Print from one decoded event or trace line.
package pyfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// MaxWidth and MaxPrecision are the largest a conversion may ask for, and
// MaxOutput the longest text Sprintf or Format makes: Python has no such
// limits, but no row a script prints comes near them, and a format found
// in an untrusted script must not take all memory.
const (
	MaxWidth     = 1 << 16
	MaxPrecision = 1 << 10
	MaxOutput    = 1 << 20
)

var errTooLong = fmt.Errorf("the formatted text is longer than 1 MiB")

// Sprintf applies a Python %-format to args (int64, uint64, float64,
// string, []byte or bool). Bytes are shown as text, as the learner expects
// from a comm or file name. A malformed format is an error, as in Python.
func Sprintf(format string, args ...any) (string, error) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", fmt.Errorf("incomplete format")
		}
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		if format[i] == '(' {
			return "", fmt.Errorf("%%(name) formats are not supported")
		}
		start := i
		for i < len(format) && strings.IndexByte("-+ 0#", format[i]) >= 0 {
			i++
		}
		flags := format[start:i]
		start = i
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			i++
		}
		width := format[start:i]
		if err := checkNumber("width", width, MaxWidth); err != nil {
			return "", err
		}
		prec := ""
		hasPrec := false
		if i < len(format) && format[i] == '.' {
			hasPrec = true
			i++
			start = i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			prec = format[start:i]
			if prec == "" {
				prec = "0"
			}
			if err := checkNumber("precision", prec, MaxPrecision); err != nil {
				return "", err
			}
		}
		for i < len(format) && (format[i] == 'l' || format[i] == 'h' || format[i] == 'L') {
			i++ // length modifiers are accepted and ignored, as in Python
		}
		if i >= len(format) {
			return "", fmt.Errorf("incomplete format")
		}
		verb := format[i]
		if n >= len(args) {
			return "", fmt.Errorf("not enough arguments for format string")
		}
		s, err := one(verb, flags, width, prec, hasPrec, args[n])
		if err != nil {
			return "", err
		}
		n++
		b.WriteString(s)
		if b.Len() > MaxOutput {
			return "", errTooLong
		}
	}
	if n < len(args) {
		return "", fmt.Errorf("not all arguments converted during string formatting")
	}
	if b.Len() > MaxOutput {
		return "", errTooLong
	}
	return b.String(), nil
}

// checkNumber refuses a width or precision (decimal digits) above max.
func checkNumber(what, digits string, max int) error {
	if digits == "" {
		return nil
	}
	if v, err := strconv.Atoi(digits); err != nil || v > max {
		if len(digits) > 20 {
			digits = digits[:20] + "..."
		}
		return fmt.Errorf("%s %s is too large", what, digits)
	}
	return nil
}

func one(verb byte, flags, width, prec string, hasPrec bool, arg any) (string, error) {
	spec := "%" + flags + width
	if hasPrec {
		spec += "." + prec
	}
	switch verb {
	case 'd', 'i', 'u':
		v, ok := asInt(arg)
		if !ok {
			return "", fmt.Errorf("%%%c format: a number is required, not %T", verb, arg)
		}
		return fmt.Sprintf(strings.Replace(spec, "#", "", 1)+"d", v), nil
	case 'x', 'X', 'o':
		v, ok := asInt(arg)
		if !ok {
			return "", fmt.Errorf("%%%c format: an integer is required, not %T", verb, arg)
		}
		s := fmt.Sprintf(spec+string(verb), v)
		if verb == 'o' && strings.Contains(flags, "#") {
			s = strings.Replace(s, "0", "0o", 1)
		}
		return s, nil
	case 'f', 'F', 'e', 'E', 'g', 'G':
		v, ok := asFloat(arg)
		if !ok {
			return "", fmt.Errorf("%%%c format: a real number is required, not %T", verb, arg)
		}
		if !hasPrec {
			spec += ".6"
		}
		if verb == 'F' {
			verb = 'f'
		}
		return fmt.Sprintf(spec+string(verb), v), nil
	case 'c':
		if v, ok := asInt(arg); ok {
			return fmt.Sprintf(strings.Replace(spec, "#", "", 1)+"c", rune(v)), nil
		}
		return fmt.Sprintf(spec+"s", str(arg)), nil
	case 's', 'r', 'a':
		return fmt.Sprintf(strings.Replace(strings.Replace(spec, "0", "", -1), "#", "", 1)+"s", str(arg)), nil
	}
	return "", fmt.Errorf("unsupported format character '%c'", verb)
}

func asInt(a any) (int64, bool) {
	switch v := a.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case uint64:
		return int64(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false
		}
		return int64(v), true // Python's %d truncates a float
	}
	return 0, false
}

func asFloat(a any) (float64, bool) {
	switch v := a.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case uint64:
		return float64(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// asUint is an integer's bits as Python's >> and & see them (a negative
// number keeps its two's complement bits).
func asUint(a any) (uint64, bool) {
	switch v := a.(type) {
	case int64:
		return uint64(v), true
	case int:
		return uint64(v), true
	case uint64:
		return v, true
	}
	return 0, false
}

// str is Python's str() of a value (bytes shown as their text).
func str(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e16 {
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		if v {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(a)
}

// Printer fills a runplan.Print row after row, remembering the first
// row's values for the arguments marked Since.
type Printer struct {
	P     runplan.Print
	first map[string]float64
	// Now is the clock of the Clock arguments; nil is time.Now.
	Now func() time.Time
}

// Row formats one row. value returns a decoded field (nil if absent).
func (p *Printer) Row(value func(field string) any) (string, error) {
	if p.first == nil {
		p.first = map[string]float64{}
	}
	args := make([]any, 0, len(p.P.Args))
	for _, a := range p.P.Args {
		if a.Clock != "" {
			now := time.Now
			if p.Now != nil {
				now = p.Now
			}
			s, err := Strftime(a.Clock, now())
			if err != nil {
				return "", err
			}
			args = append(args, textsafe.Message(s)) // the format is the script's text
			continue
		}
		if a.Field == "" {
			args = append(args, a.Text)
			continue
		}
		v := value(a.Field)
		if v == nil {
			return "", fmt.Errorf("no field %q", a.Field)
		}
		if a.Convert != "" {
			var err error
			if v, err = convert(a.Convert, v); err != nil {
				return "", fmt.Errorf("field %q: %w", a.Field, err)
			}
		}
		if a.Shift != 0 || a.Mask != 0 {
			u, ok := asUint(v)
			if !ok || a.Shift >= 64 {
				return "", fmt.Errorf("field %q is not an integer", a.Field)
			}
			u >>= a.Shift
			if a.Mask != 0 {
				u &= a.Mask
			}
			v = u
		}
		if a.Since || a.Scale != 0 {
			f, ok := asFloat(v)
			if !ok {
				return "", fmt.Errorf("field %q is not a number", a.Field)
			}
			if a.Since {
				first, seen := p.first[a.Field]
				if !seen {
					p.first[a.Field] = f
					first = f
				}
				f -= first
			}
			if a.Scale != 0 {
				f /= a.Scale
			}
			v = f
		}
		args = append(args, v)
	}
	if p.P.Braces {
		return Format(p.P.Format, args...)
	}
	return Sprintf(p.P.Format, args...)
}
