// Package textsafe makes names that other users chose (file names, command
// names, trace_pipe text) safe to print on a terminal and lossless in JSON.
//
// A file name or comm is a string of bytes picked by whoever opened the file
// or named the process: it can hold a newline (forging a whole output row),
// ESC (rewriting the screen, setting the terminal title), or bytes that are
// not UTF-8. Escape writes it so that every byte is visible and two
// different names never look the same, like `ls -b` or strace:
//
//	\\          a backslash (doubled, so an escape is never ambiguous)
//	\n \t \r    newline, tab, carriage return
//	\xNN        any other control byte (< 0x20, 0x7f), each byte of a
//	            non-printable character (C1 controls U+0080-U+009F, bidi
//	            overrides, ...) and each byte that is not valid UTF-8
//
// Everything else (printable ASCII and printable UTF-8) is kept as is, so
// ordinary names print unchanged. Unescape gives the original bytes back.
//
// The package is pure Go with no dependencies: any printer may use it.
package textsafe

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Escape returns s with every unsafe byte escaped (see the package comment).
func Escape(s string) string {
	if !NeedsEscape(s) {
		return s
	}
	return string(Append(make([]byte, 0, len(s)+16), s))
}

// NeedsEscape reports whether Escape would change s.
func NeedsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == '\\' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// Append appends the escaped form of s to b.
func Append(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\':
				b = append(b, '\\', '\\')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				b = appendHex(b, c)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
			for j := i; j < i+size; j++ {
				b = appendHex(b, s[j])
			}
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

func appendHex(b []byte, c byte) []byte {
	return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
}

// ErrBadEscape is returned by Unescape for text Escape cannot have written.
var ErrBadEscape = errors.New("textsafe: invalid escape sequence")

// Unescape reverses Escape: Unescape(Escape(s)) == s for every s.
func Unescape(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i+1 >= len(s) {
			return "", ErrBadEscape
		}
		i++
		switch s[i] {
		case '\\':
			b = append(b, '\\')
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'x':
			if i+2 >= len(s) {
				return "", ErrBadEscape
			}
			hi, lo := unhex(s[i+1]), unhex(s[i+2])
			if hi < 0 || lo < 0 {
				return "", ErrBadEscape
			}
			b = append(b, byte(hi<<4|lo))
			i += 2
		default:
			return "", ErrBadEscape
		}
	}
	return string(b), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// CutMark follows a name that did not fit its buffer and was cut. Escape
// never writes a backslash followed by '.', so the mark cannot be part of a
// name: "/very/long/pa\..." is a cut name, "/very/long/pa\\..." is a whole
// name ending in a backslash and three dots.
const CutMark = `\...`

// Message makes a message of several lines (an error with clang's or the
// verifier's output) safe for a terminal: line breaks and tabs stay, every
// other control byte and non-printable character is shown as \xNN. Unlike
// Escape it keeps backslashes as they are (C source quotes them), so it is
// for reading, not lossless; names inside a message are Escape'd where the
// message is made.
func Message(s string) string {
	if !NeedsEscape(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				b = appendHex(b, c)
			} else {
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
			for j := 0; j < size; j++ {
				b = appendHex(b, s[i+j])
			}
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// AppendJSON appends s as a JSON string: the one JSON quoter of every
// command's --json. Text that is not valid UTF-8 is escaped first (Escape:
// nothing is lost, and every line stays valid JSON); control characters
// become \n, \t, \r or \u00XX.
func AppendJSON(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = Escape(s)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
