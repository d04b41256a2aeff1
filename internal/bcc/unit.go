package bcc

import (
	"fmt"
	"sort"
	"strings"
)

// unit is one source file being rewritten: its tokens (blanks and comments
// left out, directives kept) and the edits collected so far.
type unit struct {
	name  string // the user's file name, for #line directives
	src   string
	toks  []token
	edits []edit
	// pair is the index of the bracket closing the one at each index (and
	// of the one opening it at a closing bracket), -1 for other tokens and
	// for brackets without a partner of their kind.
	pair []int
}

// edit replaces src[start:end] with text. Insertions have start == end;
// edits at the same place apply in the order they were made.
type edit struct {
	start, end int
	text       string
	seq        int
	generated  bool // lines of generated code: attributed to the generated file, not the learner's
}

// MaxDepth is how deep brackets may nest in BCC C: clang's own limit
// (-fbracket-depth), so no program clang compiles is refused.
const MaxDepth = 256

func newUnit(name, src string) (*unit, error) {
	u := &unit{name: name, src: src, toks: lex(src)}
	// Brackets pair as a stack does: a closing bracket closes the last
	// one still open, whatever its kind (a mismatch pairs nothing).
	u.pair = make([]int, len(u.toks))
	var open []int
	for j, t := range u.toks {
		u.pair[j] = -1
		switch t.text {
		case "(", "[", "{":
			if len(open) == MaxDepth {
				return nil, fmt.Errorf("%s:%d: brackets nested more than %d deep (clang's limit)", name, t.line, MaxDepth)
			}
			open = append(open, j)
		case ")", "]", "}":
			if len(open) == 0 {
				continue
			}
			i := open[len(open)-1]
			open = open[:len(open)-1]
			if closing(u.toks[i].text) == t.text {
				u.pair[i], u.pair[j] = j, i
			}
		}
	}
	return u, nil
}

func closing(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	case "{":
		return "}"
	}
	return ""
}

func (u *unit) tok(i int) string {
	if i < 0 || i >= len(u.toks) {
		return ""
	}
	return u.toks[i].text
}

func (u *unit) isIdent(i int) bool {
	return i >= 0 && i < len(u.toks) && u.toks[i].kind == kIdent
}

// match returns the index of the bracket closing the one at i, or -1.
func (u *unit) match(i int) int {
	if i < 0 || i >= len(u.toks) || closing(u.toks[i].text) == "" {
		return -1
	}
	return u.pair[i]
}

// args splits the tokens between the brackets at open and close into
// top-level comma-separated ranges [from, to] (inclusive); none for "()".
func (u *unit) args(open, close int) [][2]int {
	var out [][2]int
	if close == open+1 {
		return nil
	}
	start := open + 1
	for j := open + 1; j < close; j++ {
		switch u.tok(j) {
		case "(", "[", "{":
			if m := u.match(j); m > 0 {
				j = m
			}
		case ",":
			out = append(out, [2]int{start, j - 1})
			start = j + 1
		}
	}
	return append(out, [2]int{start, close - 1})
}

// squash is the text of tokens from..to with single spaces between them.
func (u *unit) squash(from, to int) string {
	var b strings.Builder
	for j := from; j <= to && j < len(u.toks); j++ {
		if j > from && needsSpace(u.toks[j-1].text, u.toks[j].text) {
			b.WriteByte(' ')
		}
		b.WriteString(u.toks[j].text)
	}
	return b.String()
}

func needsSpace(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return isIdentChar(a[len(a)-1]) && (isIdentChar(b[0]) || b == "*")
}

func (u *unit) replace(from, to int, text string) {
	u.edits = append(u.edits, edit{u.toks[from].pos, u.toks[to].end, text, len(u.edits), false})
}

func (u *unit) insertBefore(i int, text string) {
	p := u.toks[i].pos
	u.edits = append(u.edits, edit{p, p, text, len(u.edits), false})
}

func (u *unit) insertAfter(i int, text string) {
	p := u.toks[i].end
	u.edits = append(u.edits, edit{p, p, text, len(u.edits), false})
}

// insertGenerated inserts whole lines of generated code after token i;
// errors in them point at the generated file (outName), not at the
// learner's lines.
func (u *unit) insertGenerated(i int, text string) {
	p := u.toks[i].end
	u.edits = append(u.edits, edit{p, p, text, len(u.edits), true})
}

// render applies the edits. Line numbers stay those of the source: a
// replacement with fewer lines than it replaces is padded with newlines,
// one with more is followed by a #line directive. Generated lines are
// attributed to outName; base is the output's line number of the
// source's first line.
func (u *unit) render(outName string, base int) (string, error) {
	es := append([]edit(nil), u.edits...)
	sort.SliceStable(es, func(a, b int) bool {
		if es[a].start != es[b].start {
			return es[a].start < es[b].start
		}
		return es[a].seq < es[b].seq
	})
	var b strings.Builder
	at := 0
	outLines := 0                 // newlines written to b
	srcLine, srcPos := 1, 0       // the line of src at srcPos
	lineOf := func(pos int) int { // edits come in order: count on from the last
		if pos < srcPos {
			return lineAt(u.src, pos)
		}
		srcLine += strings.Count(u.src[srcPos:pos], "\n")
		srcPos = pos
		return srcLine
	}
	write := func(s string) {
		b.WriteString(s)
		outLines += strings.Count(s, "\n")
	}
	for _, e := range es {
		if e.start < at {
			return "", fmt.Errorf("%s: internal error: overlapping rewrites near line %d", u.name, lineAt(u.src, e.start))
		}
		write(u.src[at:e.start])
		if e.generated {
			write("\n")
			write(fmt.Sprintf("#line %d %q\n", base+outLines+1, outName))
			write(strings.TrimPrefix(e.text, "\n"))
		} else {
			write(e.text)
		}
		removed := strings.Count(u.src[e.start:e.end], "\n")
		added := strings.Count(e.text, "\n")
		if added < removed {
			write(strings.Repeat("\n", removed-added))
		} else if added > removed {
			if !strings.HasSuffix(e.text, "\n") {
				write("\n")
			}
			write(fmt.Sprintf("#line %d %q\n", lineOf(e.end), u.name))
		}
		at = e.end
	}
	b.WriteString(u.src[at:])
	return b.String(), nil
}

func lineAt(src string, pos int) int {
	if pos > len(src) {
		pos = len(src)
	}
	return 1 + strings.Count(src[:pos], "\n")
}
