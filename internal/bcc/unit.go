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
}

// edit replaces src[start:end] with text. Insertions have start == end;
// edits at the same place apply in the order they were made.
type edit struct {
	start, end int
	text       string
	seq        int
	generated  bool // lines of generated code: attributed to the generated file, not the learner's
}

func newUnit(name, src string) *unit {
	u := &unit{name: name, src: src}
	for _, t := range lex(src) {
		if t.kind != kSpace {
			u.toks = append(u.toks, t)
		}
	}
	return u
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
	open := u.tok(i)
	var close string
	switch open {
	case "(":
		close = ")"
	case "[":
		close = "]"
	case "{":
		close = "}"
	default:
		return -1
	}
	depth := 0
	for j := i; j < len(u.toks); j++ {
		switch u.toks[j].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				if u.toks[j].text != close {
					return -1
				}
				return j
			}
		}
	}
	return -1
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
	for _, e := range es {
		if e.start < at {
			return "", fmt.Errorf("%s: internal error: overlapping rewrites near line %d", u.name, lineAt(u.src, e.start))
		}
		b.WriteString(u.src[at:e.start])
		if e.generated {
			b.WriteString("\n")
			fmt.Fprintf(&b, "#line %d %q\n", base+strings.Count(b.String(), "\n")+1, outName)
			b.WriteString(strings.TrimPrefix(e.text, "\n"))
		} else {
			b.WriteString(e.text)
		}
		removed := strings.Count(u.src[e.start:e.end], "\n")
		added := strings.Count(e.text, "\n")
		if added < removed {
			b.WriteString(strings.Repeat("\n", removed-added))
		} else if added > removed {
			if !strings.HasSuffix(e.text, "\n") {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "#line %d %q\n", lineAt(u.src, e.end), u.name)
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
