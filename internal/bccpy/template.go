package bccpy

import (
	"fmt"
	"strconv"
	"strings"
)

// template reads a str.format() template made by an f-string
// (f"{k.pid:<6} {v.value}") or a .format() call ("{:<6} {}".format(k.pid,
// v.value)) as a template with automatic fields only ("{:<6} {}") and the
// expressions that fill them, in order. ok is false when n is neither.
func (r *reader) template(n *node) (tmpl string, vals []*node, ok bool, err error) {
	switch {
	case n.kind == "fstring":
		tmpl, vals, err = fstring(n.text)
		return tmpl, vals, true, err
	case n.kind == "call" && n.x.kind == "attr" && n.x.text == "format":
		text, isStr := r.str(n.x.x)
		if !isStr {
			return "", nil, true, fmt.Errorf("the format is not a literal")
		}
		tmpl, vals, err = formatCall(text, n)
		return tmpl, vals, true, err
	}
	return "", nil, false, nil
}

// fields splits a template into its literal text and its {fields}; each
// field is handed to field, which returns the expression that fills it
// and the field's text after the name ("!s:<6" or ":<6").
func fields(text string, field func(inside string) (*node, string, error)) (string, []*node, error) {
	var b strings.Builder
	var vals []*node
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c == '{' || c == '}') && i+1 < len(text) && text[i+1] == c {
			b.WriteString(text[i : i+2])
			i++
			continue
		}
		if c == '}' {
			return "", nil, fmt.Errorf("a single '}' in the format")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		end := fieldEnd(text, i+1)
		if end < 0 {
			return "", nil, fmt.Errorf("an unclosed '{' in the format")
		}
		v, rest, err := field(text[i+1 : end])
		if err != nil {
			return "", nil, err
		}
		if strings.Contains(rest, "{") {
			return "", nil, fmt.Errorf("a computed width or precision in the format")
		}
		b.WriteString("{" + rest + "}")
		vals = append(vals, v)
		i = end
	}
	return b.String(), vals, nil
}

// fieldEnd finds the '}' closing a field opened before i, past brackets
// and strings inside the field's expression.
func fieldEnd(text string, i int) int {
	depth := 0
	var quote byte
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// splitField cuts a field into its expression (or name) and the rest: the
// first '!' or ':' outside brackets and strings ("!=" is an operator).
func splitField(inside string) (expr, rest string) {
	depth := 0
	var quote byte
	for i := 0; i < len(inside); i++ {
		c := inside[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case depth == 0 && (c == ':' || c == '!' && (i+1 >= len(inside) || inside[i+1] != '=')):
			return inside[:i], inside[i:]
		}
	}
	return inside, ""
}

// checkRest keeps the conversions the formatter applies: none and !s.
func checkRest(rest string) error {
	if strings.HasPrefix(rest, "!") && !strings.HasPrefix(rest, "!s") {
		return fmt.Errorf("the %s conversion in the format", rest[:min(2, len(rest))])
	}
	return nil
}

// fstring reads an f-string's template and its expressions.
func fstring(text string) (string, []*node, error) {
	return fields(text, func(inside string) (*node, string, error) {
		expr, rest := splitField(inside)
		expr = strings.TrimSpace(expr)
		if strings.HasSuffix(expr, "=") { // f"{x=}" prints "x=" first
			return nil, "", fmt.Errorf("a self-documenting field {%s} in the format", expr)
		}
		if err := checkRest(rest); err != nil {
			return nil, "", err
		}
		lines, err := lexLines(expr + "\n")
		if err != nil || len(lines) != 1 {
			return nil, "", fmt.Errorf("cannot read {%s} in the format", expr)
		}
		n, err := parseExpr(lines[0].toks)
		if err != nil {
			return nil, "", fmt.Errorf("cannot read {%s} in the format", expr)
		}
		return n, rest, nil
	})
}

// formatCall reads "...".format(args): {} in turn, {0} by position, {name}
// by keyword.
func formatCall(text string, call *node) (string, []*node, error) {
	next := 0
	return fields(text, func(inside string) (*node, string, error) {
		name, rest := splitField(inside)
		if err := checkRest(rest); err != nil {
			return nil, "", err
		}
		var v *node
		switch k, err := strconv.Atoi(name); {
		case name == "":
			if next < len(call.args) {
				v = call.args[next]
			}
			next++
		case err == nil:
			if k >= 0 && k < len(call.args) {
				v = call.args[k]
			}
		default:
			v = call.kwargs[name]
		}
		if v == nil {
			return nil, "", fmt.Errorf("the format's field {%s} has no value in .format()", name)
		}
		return v, rest, nil
	})
}
