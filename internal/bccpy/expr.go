package bccpy

import (
	"fmt"
	"strings"
)

// node is a parsed Python expression; only the shapes BCC scripts use are
// told apart, everything else is "other" (kept so parsing goes on).
type node struct {
	kind   string // name, str, num, attr, call, index, binop, unary, tuple, other
	text   string // name, attribute, operator, literal value
	bytes  bool
	x, y   *node   // attr/index/call base (x), binop operands (x, y), index (y)
	args   []*node // call positional arguments, tuple elements
	kwargs map[string]*node
	line   int
}

type parser struct {
	toks  []ptok
	pos   int
	depth int // nested test() calls: one per bracket, lambda or conditional
}

// tooDeep is an expression nested more than MaxDepth deep: by brackets,
// operators (- - x, not not x), lambdas, conditionals, or chains of
// operators, attributes, calls or indexes (a + b + ..., a.b.c...), which
// make trees as deep as their length.
type tooDeep struct{ line int }

func (e *tooDeep) Error() string {
	return fmt.Sprintf("line %d: an expression nested more than %d deep", e.line, MaxDepth)
}

// enter counts one more level of recursion; leave undoes it.
func (p *parser) enter() error {
	if p.depth++; p.depth > MaxDepth {
		return &tooDeep{p.peek().line}
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) peek() ptok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ptok{kind: tOp, text: ""}
}

func (p *parser) is(op string) bool {
	t := p.peek()
	return (t.kind == tOp || t.kind == tName) && t.text == op && p.pos < len(p.toks)
}

func (p *parser) next() ptok {
	t := p.peek()
	p.pos++
	return t
}

func (p *parser) expect(op string) error {
	if !p.is(op) {
		return fmt.Errorf("line %d: expected %q", p.peek().line, op)
	}
	p.pos++
	return nil
}

// parseExpr parses a whole expression list ("a, b" is a tuple). An
// expression nested more than MaxDepth deep is a *tooDeep error.
func parseExpr(toks []ptok) (*node, error) {
	p := &parser{toks: toks}
	n, err := p.tuple()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("line %d: unexpected %q", p.peek().line, p.peek().text)
	}
	if deeper(n, MaxDepth) {
		line := 0
		if len(toks) > 0 {
			line = toks[0].line
		}
		return nil, &tooDeep{line}
	}
	return n, nil
}

// deeper tells whether the tree under n is more than limit nodes deep; it
// recurses at most limit+1 levels, so the reader's own recursive walks
// (str, describe, ...) are bounded once it says no.
func deeper(n *node, limit int) bool {
	if n == nil {
		return false
	}
	if limit == 0 {
		return true
	}
	if deeper(n.x, limit-1) || deeper(n.y, limit-1) {
		return true
	}
	for _, a := range n.args {
		if deeper(a, limit-1) {
			return true
		}
	}
	for _, a := range n.kwargs {
		if deeper(a, limit-1) {
			return true
		}
	}
	return false
}

func (p *parser) tuple() (*node, error) {
	first, err := p.test()
	if err != nil {
		return nil, err
	}
	if !p.is(",") {
		return first, nil
	}
	t := &node{kind: "tuple", args: []*node{first}, line: first.line}
	for p.is(",") {
		p.next()
		if p.pos >= len(p.toks) || p.is(")") || p.is("=") {
			break
		}
		n, err := p.test()
		if err != nil {
			return nil, err
		}
		t.args = append(t.args, n)
	}
	return t, nil
}

// test: lambda, conditional expressions, or/and/not, comparisons.
func (p *parser) test() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if p.is("lambda") {
		p.next()
		for p.pos < len(p.toks) && !p.is(":") {
			p.next()
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		body, err := p.test()
		if err != nil {
			return nil, err
		}
		return &node{kind: "other", text: "lambda", x: body}, nil
	}
	n, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if p.is("if") {
		p.next()
		cond, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect("else"); err != nil {
			return nil, err
		}
		alt, err := p.test()
		if err != nil {
			return nil, err
		}
		return &node{kind: "other", text: "ifelse", x: n, y: alt, args: []*node{cond}}, nil
	}
	return n, nil
}

var precedence = map[string]int{
	"or": 1, "and": 2,
	"==": 4, "!=": 4, "<": 4, ">": 4, "<=": 4, ">=": 4, "in": 4, "is": 4,
	"|": 5, "^": 6, "&": 7, "<<": 8, ">>": 8,
	"+": 9, "-": 9, "*": 10, "/": 10, "//": 10, "%": 10, "**": 12,
}

func (p *parser) binary(min int) (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for chain := 0; ; chain++ {
		if chain > MaxDepth { // a + b + ...: as deep as long (parseExpr would refuse it)
			return nil, &tooDeep{p.peek().line}
		}
		t := p.peek()
		if p.pos >= len(p.toks) || (t.kind != tOp && t.kind != tName) {
			return left, nil
		}
		op := t.text
		text := op // "not in" and "is not" keep their negation
		if op == "not" && p.pos+1 < len(p.toks) && p.toks[p.pos+1].text == "in" {
			op, text = "in", "not in"
			if prec, ok := precedence[op]; !ok || prec <= min {
				return left, nil
			}
			p.next()
		}
		prec, ok := precedence[op]
		if !ok || prec <= min {
			return left, nil
		}
		p.next()
		if op == "is" && p.is("not") {
			p.next()
			text = "is not"
		}
		right, err := p.binary(prec)
		if err != nil {
			return nil, err
		}
		left = &node{kind: "binop", text: text, x: left, y: right, line: t.line}
	}
}

// unary reads prefix operators (- x, not x) in a loop: a long run of them
// makes a deep tree, which parseExpr refuses, but no deep recursion.
func (p *parser) unary() (*node, error) {
	var ops []ptok
	for p.is("-") || p.is("+") || p.is("not") || p.is("~") {
		if len(ops) == MaxDepth {
			return nil, &tooDeep{p.peek().line}
		}
		ops = append(ops, p.next())
	}
	x, err := p.postfix()
	if err != nil {
		return nil, err
	}
	for k := len(ops) - 1; k >= 0; k-- {
		x = &node{kind: "unary", text: ops[k].text, x: x, line: ops[k].line}
	}
	return x, nil
}

func (p *parser) postfix() (*node, error) {
	n, err := p.atom()
	if err != nil {
		return nil, err
	}
	for chain := 0; ; chain++ {
		if chain > MaxDepth { // a.b.c..., f()()...: as deep as long
			return nil, &tooDeep{p.peek().line}
		}
		switch {
		case p.is("."):
			p.next()
			t := p.next()
			if t.kind != tName {
				return nil, fmt.Errorf("line %d: expected a name after '.'", t.line)
			}
			n = &node{kind: "attr", text: t.text, x: n, line: t.line}
		case p.is("("):
			p.next()
			c := &node{kind: "call", x: n, kwargs: map[string]*node{}, line: n.line}
			for !p.is(")") {
				if p.pos >= len(p.toks) {
					return nil, fmt.Errorf("line %d: unclosed '('", n.line)
				}
				if p.is("*") || p.is("**") {
					p.next()
				}
				if p.peek().kind == tName && p.pos+1 < len(p.toks) && p.toks[p.pos+1].text == "=" {
					key := p.next().text
					p.next()
					v, err := p.test()
					if err != nil {
						return nil, err
					}
					c.kwargs[key] = v
				} else {
					v, err := p.test()
					if err != nil {
						return nil, err
					}
					if p.is("for") { // a generator expression argument
						for p.pos < len(p.toks) && !p.is(")") {
							p.next()
						}
						v = &node{kind: "other"}
					}
					c.args = append(c.args, v)
				}
				if !p.is(",") {
					break
				}
				p.next()
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			n = c
		case p.is("["):
			p.next()
			var idx *node
			var err error
			if p.is(":") {
				idx = &node{kind: "other"}
			} else {
				idx, err = p.tuple()
				if err != nil {
					return nil, err
				}
			}
			for p.pos < len(p.toks) && !p.is("]") { // slices
				p.next()
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = &node{kind: "index", x: n, y: idx, line: n.line}
		default:
			return n, nil
		}
	}
}

func (p *parser) atom() (*node, error) {
	t := p.next()
	switch t.kind {
	case tName:
		return &node{kind: "name", text: t.text, line: t.line}, nil
	case tNumber:
		return &node{kind: "num", text: t.text, line: t.line}, nil
	case tFString:
		return &node{kind: "fstring", text: t.text, line: t.line}, nil
	case tString:
		s := &node{kind: "str", text: t.text, bytes: t.bytes, line: t.line}
		if p.peek().kind == tString && p.pos < len(p.toks) { // "a" "b" is "ab"
			var b strings.Builder
			b.WriteString(t.text)
			for p.peek().kind == tString && p.pos < len(p.toks) {
				b.WriteString(p.next().text)
			}
			s.text = b.String()
		}
		return s, nil
	}
	switch t.text {
	case "(":
		if p.is(")") {
			p.next()
			return &node{kind: "tuple", line: t.line}, nil
		}
		n, err := p.tuple()
		if err != nil {
			return nil, err
		}
		if p.is("for") {
			for p.pos < len(p.toks) && !p.is(")") {
				p.next()
			}
			n = &node{kind: "other"}
		}
		return n, p.expect(")")
	case "[", "{":
		save := p.pos
		if t.text == "[" {
			// a list of values: ["-DMAX_PID=%d" % n, "-DX"]
			if l, err := p.list(t.line); err == nil {
				return l, nil
			}
		} else if d, err := p.dict(t.line); err == nil {
			// {"ipv4": {"count": "...", "trace": "..."}, ...}
			return d, nil
		}
		p.pos = save
		close := "]"
		if t.text == "{" {
			close = "}"
		}
		depth := 1
		for p.pos < len(p.toks) {
			x := p.next()
			if x.kind != tOp {
				continue
			}
			switch x.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
			if depth == 0 {
				if x.text != close {
					return nil, fmt.Errorf("line %d: mismatched %q", x.line, x.text)
				}
				return &node{kind: "other", text: t.text + close, line: t.line}, nil
			}
		}
		return nil, fmt.Errorf("line %d: unclosed %q", t.line, t.text)
	}
	return nil, fmt.Errorf("line %d: unexpected %q", t.line, t.text)
}

// dotted is "b.attach_kprobe" for attr chains on names, "" otherwise.
func (n *node) dotted() string {
	switch {
	case n == nil:
		return ""
	case n.kind == "name":
		return n.text
	case n.kind == "attr":
		if d := n.x.dotted(); d != "" {
			return d + "." + n.text
		}
	}
	return ""
}

// list reads the elements of a list literal after its "[" up to its "]";
// an error (a comprehension, say) leaves the caller to skip it whole.
func (p *parser) list(line int) (*node, error) {
	l := &node{kind: "list", line: line}
	for !p.is("]") {
		if p.pos >= len(p.toks) {
			return nil, fmt.Errorf("line %d: unclosed \"[\"", line)
		}
		x, err := p.test()
		if err != nil {
			return nil, err
		}
		l.args = append(l.args, x)
		if p.is("for") {
			return nil, fmt.Errorf("line %d: a comprehension", line)
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	if err := p.expect("]"); err != nil {
		return nil, err
	}
	return l, nil
}

// dict reads the KEY: VALUE pairs of a dict literal after its "{" up to
// its "}" (args: key, value, key, value...); an error (a set, a
// comprehension) leaves the caller to skip it whole.
func (p *parser) dict(line int) (*node, error) {
	d := &node{kind: "dict", line: line}
	for !p.is("}") {
		if p.pos >= len(p.toks) {
			return nil, fmt.Errorf("line %d: unclosed \"{\"", line)
		}
		k, err := p.test()
		if err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		v, err := p.test()
		if err != nil {
			return nil, err
		}
		d.args = append(d.args, k, v)
		if p.is("for") {
			return nil, fmt.Errorf("line %d: a comprehension", line)
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	if err := p.expect("}"); err != nil {
		return nil, err
	}
	return d, nil
}
