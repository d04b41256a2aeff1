package bccpy

import (
	"fmt"
	"strconv"
	"strings"
)

type tkind int

const (
	tName tkind = iota
	tNumber
	tString
	tOp
	tFString // an f-string: text is its template, braces and all
)

type ptok struct {
	kind  tkind
	text  string // as written (for strings: the decoded value)
	bytes bool   // a b"..." literal
	line  int
}

// stmt is one logical line of the script with its indentation, and the
// statements nested under it when it ends with ':'.
type stmt struct {
	indent int
	toks   []ptok
	line   int
	size   int // bytes of source, comments and continuation lines included
	body   []*stmt
}

// lexLines splits Python source into logical lines of tokens. It never
// executes anything; an unterminated string, or brackets nested more than
// MaxDepth deep, is an error naming its line.
func lexLines(src string) ([]*stmt, error) {
	var out []*stmt
	var cur *stmt
	depth := 0
	line := 1
	atStart := true
	indent := 0
	start := 0 // where cur starts in src
	flush := func(end int) {
		if cur != nil && len(cur.toks) > 0 {
			cur.size = end - start
			out = append(out, cur)
		}
		cur = nil
	}
	for i := 0; i < len(src); {
		c := src[i]
		if atStart {
			indent = 0
			for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
				if src[i] == '\t' {
					indent += 8 - indent%8
				} else {
					indent++
				}
				i++
			}
			atStart = false
			continue
		}
		switch {
		case c == '\n':
			line++
			i++
			if depth == 0 {
				flush(i)
				atStart = true
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
			continue
		}
		if cur == nil {
			cur = &stmt{indent: indent, line: line}
			start = i
		}
		// string literal, with an optional prefix
		if j, ok := stringStart(src, i); ok {
			prefix := strings.ToLower(src[i:j])
			val, next, lines, err := readString(src, j, strings.Contains(prefix, "r"))
			if err != nil {
				return nil, fmt.Errorf("%d: %w", line, err)
			}
			cur.toks = append(cur.toks, ptok{kind: tString, text: val, bytes: strings.Contains(prefix, "b"), line: line})
			if strings.Contains(prefix, "f") {
				cur.toks[len(cur.toks)-1].kind = tFString // not a literal: its fields are computed
			}
			line += lines
			i = next
			continue
		}
		switch {
		case isNameStart(c):
			j := i
			for j < len(src) && (isNameStart(src[j]) || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			cur.toks = append(cur.toks, ptok{kind: tName, text: src[i:j], line: line})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (isNameStart(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '.' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			cur.toks = append(cur.toks, ptok{kind: tNumber, text: src[i:j], line: line})
			i = j
		default:
			n := 1
			for _, op := range []string{"**=", "//=", ">>=", "<<=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "->", ":=", "<<", ">>"} {
				if strings.HasPrefix(src[i:], op) {
					n = len(op)
					break
				}
			}
			op := src[i : i+n]
			switch op {
			case "(", "[", "{":
				if depth++; depth > MaxDepth {
					return nil, fmt.Errorf("%d: brackets nested more than %d deep", line, MaxDepth)
				}
			case ")", "]", "}":
				if depth > 0 {
					depth--
				}
			}
			cur.toks = append(cur.toks, ptok{kind: tOp, text: op, line: line})
			i += n
		}
	}
	flush(len(src))
	return out, nil
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// stringStart reports whether a string literal (with prefix) starts at i,
// and where its quote is.
func stringStart(src string, i int) (int, bool) {
	j := i
	for j < len(src) && j-i < 2 && strings.IndexByte("rRbBuUfF", src[j]) >= 0 {
		j++
	}
	if j < len(src) && (src[j] == '"' || src[j] == '\'') {
		if j > i && j < len(src) && (i > 0 && isNameStart(src[i-1])) {
			return 0, false
		}
		return j, true
	}
	return 0, false
}

// readString reads the literal whose quote is at i: its value, the index
// after it and how many newlines it spans.
func readString(src string, i int, raw bool) (string, int, int, error) {
	q := src[i : i+1]
	if strings.HasPrefix(src[i:], q+q+q) {
		q = q + q + q
	}
	j := i + len(q)
	var b strings.Builder
	lines := 0
	for {
		if j >= len(src) {
			return "", 0, 0, fmt.Errorf("unterminated string")
		}
		if strings.HasPrefix(src[j:], q) {
			return b.String(), j + len(q), lines, nil
		}
		c := src[j]
		if c == '\n' {
			if len(q) == 1 {
				return "", 0, 0, fmt.Errorf("unterminated string")
			}
			lines++
		}
		if c == '\\' && j+1 < len(src) {
			if raw {
				b.WriteByte(c)
				b.WriteByte(src[j+1])
				if src[j+1] == '\n' {
					lines++
				}
				j += 2
				continue
			}
			j++
			e := src[j]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '\\', '\'', '"':
				b.WriteByte(e)
			case '\n':
				lines++
			case 'x':
				if j+2 < len(src) {
					if v, err := strconv.ParseUint(src[j+1:j+3], 16, 8); err == nil {
						b.WriteByte(byte(v))
						j += 2
						break
					}
				}
				b.WriteString("\\x")
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			j++
			continue
		}
		b.WriteByte(c)
		j++
	}
}

// nest arranges logical lines into blocks by indentation: a line ending
// with ':' owns the more indented lines after it. "if x: y" puts y in body.
// Blocks nested more than MaxDepth deep are an error naming the line.
func nest(lines []*stmt) ([]*stmt, error) {
	var root []*stmt
	type frame struct {
		indent int
		list   *[]*stmt
	}
	stack := []frame{{-1, &root}}
	for _, s := range lines {
		for len(stack) > 1 && s.indent <= stack[len(stack)-1].indent {
			stack = stack[:len(stack)-1]
		}
		top := stack[len(stack)-1]
		*top.list = append(*top.list, s)
		if k := headerColon(s.toks); k >= 0 {
			if k < len(s.toks)-1 { // one-line body
				rest := &stmt{indent: s.indent + 1, toks: s.toks[k+1:], line: s.line}
				s.toks = s.toks[:k+1]
				s.body = append(s.body, rest)
				continue
			}
			if len(stack) > MaxDepth {
				return nil, fmt.Errorf("%d: blocks nested more than %d deep", s.line, MaxDepth)
			}
			stack = append(stack, frame{s.indent, &s.body})
		}
	}
	return root, nil
}

// headerColon finds the ':' ending a compound statement's header, or -1.
func headerColon(toks []ptok) int {
	if len(toks) == 0 || toks[0].kind != tName {
		return -1
	}
	switch toks[0].text {
	case "if", "elif", "else", "while", "for", "def", "try", "except", "finally", "with", "class", "async":
	default:
		return -1
	}
	depth := 0
	lambda := 0
	for k, t := range toks {
		if t.kind == tName && t.text == "lambda" && depth == 0 {
			lambda++
		}
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ":":
			if depth == 0 {
				if lambda > 0 {
					lambda--
					continue
				}
				return k
			}
		}
	}
	return -1
}
