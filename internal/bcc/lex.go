package bcc

// kind is what a token is; the rewriter only needs a few classes.
type kind int

const (
	kIdent     kind = iota // identifiers and keywords
	kNumber                // numeric literals
	kString                // "..." (and L"..." etc.)
	kChar                  // '...'
	kPunct                 // operators and punctuation: "->" is one token
	kDirective             // a whole preprocessor line, continuations included
	kSpace                 // blanks, newlines and comments (kept, never rewritten)
)

// token is one lexical token of the user's C source: its bytes are src[pos:end].
type token struct {
	kind kind
	text string
	pos  int // byte offset in the source
	end  int
	line int // 1-based line of pos
}

// lex splits C source into tokens, blanks and comments left out. It never
// fails: an unterminated string or comment runs to the end of the input,
// which clang will then report.
func lex(src string) []token {
	n := 0
	scanTokens(src, func(token) { n++ }) // counted first: the slice is made once, of its size
	toks := make([]token, 0, n)
	scanTokens(src, func(t token) { toks = append(toks, t) })
	return toks
}

// scanTokens calls each with the tokens of src in order, blanks and
// comments left out.
func scanTokens(src string, each func(token)) {
	line := 1
	atLineStart := true
	for i := 0; i < len(src); {
		start, startLine := i, line
		c := src[i]
		k := kPunct
		switch {
		case c == '\n':
			i++
			k = kSpace
			atLineStart = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			k = kSpace
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			k = kSpace
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i += 2
			for i < len(src) && !(src[i] == '*' && i+1 < len(src) && src[i+1] == '/') {
				i++
			}
			i += 2
			if i > len(src) {
				i = len(src)
			}
			k = kSpace
		case c == '#' && atLineStart:
			for i < len(src) && src[i] != '\n' {
				if src[i] == '\\' && i+1 < len(src) && src[i+1] == '\n' {
					i++ // a continued directive goes on on the next line
				}
				i++
			}
			if i > len(src) {
				i = len(src)
			}
			k = kDirective
		case c == '"' || c == '\'':
			i = skipQuoted(src, i)
			k = kString
			if c == '\'' {
				k = kChar
			}
		case isIdentStart(c):
			for i < len(src) && isIdentChar(src[i]) {
				i++
			}
			k = kIdent
			// L"x", u8"x" prefixes belong to the literal
			if i < len(src) && (src[i] == '"' || src[i] == '\'') {
				switch src[start:i] {
				case "L", "u", "U", "u8":
					q := src[i]
					i = skipQuoted(src, i)
					k = kString
					if q == '\'' {
						k = kChar
					}
				}
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			for i < len(src) && (isIdentChar(src[i]) || src[i] == '.' ||
				(src[i] == '+' || src[i] == '-') && (src[i-1] == 'e' || src[i-1] == 'E' || src[i-1] == 'p' || src[i-1] == 'P')) {
				i++
			}
			k = kNumber
		default:
			i += punctLen(src[i:])
		}
		for _, b := range []byte(src[start:i]) {
			if b == '\n' {
				line++
			}
		}
		if k != kSpace {
			atLineStart = false
		}
		if c == '\n' {
			atLineStart = true
		}
		if k != kSpace { // blanks and comments are never rewritten: not kept
			each(token{kind: k, text: src[start:i], pos: start, end: i, line: startLine})
		}
	}
}

func skipQuoted(src string, i int) int {
	q := src[i]
	i++
	for i < len(src) && src[i] != q && src[i] != '\n' {
		if src[i] == '\\' && i+1 < len(src) {
			i++
		}
		i++
	}
	if i < len(src) && src[i] == q {
		i++
	}
	if i > len(src) {
		i = len(src)
	}
	return i
}

var puncts3 = []string{"<<=", ">>=", "...", "->*"}
var puncts2 = []string{"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##", "::"}

func punctLen(s string) int {
	for _, p := range puncts3 {
		if len(s) >= 3 && s[:3] == p {
			return 3
		}
	}
	for _, p := range puncts2 {
		if len(s) >= 2 && s[:2] == p {
			return 2
		}
	}
	return 1
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
