package pyfmt

import (
	"fmt"
	"strconv"
	"strings"
)

// Format applies a Python str.format() template whose fields are all
// automatic ("{}", "{:<16}", "{:>8.3f}"), as the BCC reader reduces
// f-strings and .format() calls to, to args in order. Unlike %-formats,
// a field with a width and no alignment puts text left and numbers right.
func Format(template string, args ...any) (string, error) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(template); i++ {
		c := template[i]
		if c == '}' {
			if i+1 < len(template) && template[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", fmt.Errorf("single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(template) && template[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		end := strings.IndexByte(template[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("single '{' encountered in format string")
		}
		field := template[i+1 : i+end]
		i += end
		conv, spec, _ := strings.Cut(field, ":")
		if strings.ContainsAny(spec, "{") || conv != "" && conv != "!s" {
			return "", fmt.Errorf("field {%s}: only automatic fields ({}, {:spec}, {!s:spec}) are supported", field)
		}
		if n >= len(args) {
			return "", fmt.Errorf("replacement index %d out of range for positional args tuple", n)
		}
		arg := args[n]
		n++
		if conv != "" {
			arg = str(arg)
		}
		s, err := formatOne(spec, arg)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		if b.Len() > MaxOutput {
			return "", errTooLong
		}
	}
	if b.Len() > MaxOutput {
		return "", errTooLong
	}
	return b.String(), nil
}

// braceSpec is a parsed format spec: [[fill]align][sign][#][0][width][,|_][.precision][type].
type braceSpec struct {
	fill      rune
	align     byte
	sign      byte
	alt, zero bool
	width     int
	group     byte
	prec      int // -1: none
	verb      byte
}

func parseSpec(spec string) (braceSpec, error) {
	s := braceSpec{fill: ' ', prec: -1}
	r := []rune(spec)
	i := 0
	isAlign := func(c rune) bool { return c == '<' || c == '>' || c == '^' || c == '=' }
	switch {
	case len(r) >= 2 && isAlign(r[1]):
		s.fill, s.align, i = r[0], byte(r[1]), 2
	case len(r) >= 1 && isAlign(r[0]):
		s.align, i = byte(r[0]), 1
	}
	if i < len(r) && (r[i] == '+' || r[i] == '-' || r[i] == ' ') {
		s.sign = byte(r[i])
		i++
	}
	if i < len(r) && r[i] == '#' {
		s.alt = true
		i++
	}
	if i < len(r) && r[i] == '0' {
		s.zero = true
		i++
	}
	start := i
	for i < len(r) && r[i] >= '0' && r[i] <= '9' {
		i++
	}
	if i > start {
		if err := checkNumber("width", string(r[start:i]), MaxWidth); err != nil {
			return s, err
		}
		s.width, _ = strconv.Atoi(string(r[start:i]))
	}
	if i < len(r) && (r[i] == ',' || r[i] == '_') {
		s.group = byte(r[i])
		i++
	}
	if i < len(r) && r[i] == '.' {
		i++
		start = i
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if i == start {
			return s, fmt.Errorf("format specifier missing precision")
		}
		if err := checkNumber("precision", string(r[start:i]), MaxPrecision); err != nil {
			return s, err
		}
		s.prec, _ = strconv.Atoi(string(r[start:i]))
	}
	if i < len(r) {
		if i+1 != len(r) || r[i] > 127 {
			return s, fmt.Errorf("invalid format specifier %q", spec)
		}
		s.verb = byte(r[i])
	}
	return s, nil
}

func formatOne(spec string, arg any) (string, error) {
	s, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	var body, sign string
	numeric := true
	switch v := arg.(type) {
	case string, []byte:
		numeric = false
		if s.verb != 0 && s.verb != 's' {
			return "", fmt.Errorf("unknown format code '%c' for a string", s.verb)
		}
		if s.sign != 0 || s.alt || s.group != 0 {
			return "", fmt.Errorf("sign, '#' and grouping are not allowed with a string")
		}
		body = str(v)
		if s.prec >= 0 && len([]rune(body)) > s.prec {
			body = string([]rune(body)[:s.prec])
		}
	default:
		f, isFloat := arg.(float64)
		i, isInt := asInt(arg)
		switch s.verb {
		case 0, 'd', 'n', 'x', 'X', 'o', 'b', 'c':
			if isFloat && s.verb == 0 {
				if f < 0 {
					sign, f = "-", -f
				}
				body = floatText(f, s.prec)
				break
			}
			if isFloat || !isInt {
				return "", fmt.Errorf("unknown format code '%c' for this value", s.verb)
			}
			if i < 0 {
				sign, i = "-", -i
			}
			switch s.verb {
			case 'x', 'X', 'o', 'b':
				base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'b': 2}[s.verb]
				body = strconv.FormatUint(uint64(i), base)
				if s.verb == 'X' {
					body = strings.ToUpper(body)
				}
				if s.alt {
					sign += "0" + string(s.verb)
				}
			case 'c':
				body, sign = string(rune(i)), ""
			default:
				body = strconv.FormatUint(uint64(i), 10)
			}
		case 'f', 'F', 'e', 'E', 'g', 'G', '%':
			if !isFloat {
				v, ok := asFloat(arg)
				if !ok {
					return "", fmt.Errorf("unknown format code '%c' for this value", s.verb)
				}
				f = v
			}
			if f < 0 {
				sign, f = "-", -f
			}
			prec := s.prec
			if prec < 0 {
				prec = 6
			}
			switch s.verb {
			case '%':
				body = strconv.FormatFloat(f*100, 'f', prec, 64) + "%"
			case 'F':
				body = strconv.FormatFloat(f, 'f', prec, 64)
			default:
				body, _ = Sprintf("%."+strconv.Itoa(prec)+string(s.verb), f)
			}
		default:
			return "", fmt.Errorf("unknown format code '%c'", s.verb)
		}
		if s.group != 0 {
			body = group(body, s.group)
		}
		if sign == "" || sign[0] != '-' {
			if s.sign == '+' || s.sign == ' ' {
				sign = string(s.sign) + sign
			}
		}
	}
	align := s.align
	if align == 0 {
		switch {
		case s.zero && numeric:
			s.fill, align = '0', '='
		case numeric:
			align = '>'
		default:
			align = '<'
		}
	}
	pad := s.width - len([]rune(sign+body))
	if pad <= 0 {
		return sign + body, nil
	}
	fill := strings.Repeat(string(s.fill), pad)
	switch align {
	case '<':
		return sign + body + fill, nil
	case '^':
		left := strings.Repeat(string(s.fill), pad/2)
		return left + sign + body + strings.Repeat(string(s.fill), pad-pad/2), nil
	case '=':
		return sign + fill + body, nil
	}
	return fill + sign + body, nil
}

// floatText is Python's format() of a float with no type: repr, or with a
// precision like 'g' that keeps a ".0".
func floatText(f float64, prec int) string {
	if prec < 0 {
		return str(f)
	}
	s := strconv.FormatFloat(f, 'g', max(prec, 1), 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}

// group puts sep between thousands of the integer part of body.
func group(body string, sep byte) string {
	end := strings.IndexAny(body, ".e%")
	if end < 0 {
		end = len(body)
	}
	digits, rest := body[:end], body[end:]
	var b strings.Builder
	for k, c := range digits {
		if k > 0 && (len(digits)-k)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteRune(c)
	}
	return b.String() + rest
}
