// Package verifierhelp puts the kernel verifier's refusals into words a
// beginner can act on: which mistake it is, the usual fix, and where in the
// learner's source it is.
//
// Explain reads a verifier log (the lines libbpf prints between
// "-- BEGIN PROG LOAD LOG --" and "-- END PROG LOAD LOG --") and recognises
// the failures beginners hit most: a map value or ring buffer sample used
// without a NULL check; a loop the verifier cannot bound, or a program too
// big to check; an index outside a stack array, a map value, a packet or
// other memory; a kernel or user pointer dereferenced directly instead of
// through bpf_probe_read_*() or BPF_CORE_READ(); stack read before it was
// written (struct padding sent to a perf buffer); a helper this program
// type may not call; a GPL-only helper in a program whose license is not
// GPL; a helper argument of the wrong kind; more than 512 bytes of stack.
//
// The place comes from the log itself. A program compiled with -g carries
// BTF line info, and the verifier prints a "; <source text> @ file.c:LINE"
// line before the instructions of each new source line (Linux 6.8 and
// later; older kernels print the text alone). The last of them before the
// refusal is the line at fault. BCC programs translated to libbpf C carry
// #line directives, so the file and line are the learner's own.
//
// The package is pure Go; it reads text and loads nothing.
package verifierhelp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kind is one family of verifier failure.
type Kind string

const (
	NullCheck        Kind = "null-check"          // a pointer that may be NULL used unchecked
	Loop             Kind = "loop"                // a loop it cannot bound, or too much to check
	OutOfBounds      Kind = "out-of-bounds"       // outside a stack array, map value, packet, memory, context
	DirectRead       Kind = "direct-read"         // a kernel or user pointer dereferenced directly
	UninitStack      Kind = "uninitialised-stack" // stack read before it was written
	HelperNotAllowed Kind = "helper-not-allowed"  // a helper this program type may not call
	GPLOnly          Kind = "gpl-only"            // a GPL-only helper from a non-GPL program
	WrongArgument    Kind = "wrong-argument"      // a helper argument of the wrong kind
	StackTooLarge    Kind = "stack-too-large"     // more than 512 bytes of stack
)

// Explanation is one recognised verifier failure.
type Explanation struct {
	Kind     Kind
	Sentence string // what is wrong and the usual fix, in the language asked for
	File     string // the source file as the log names it (a base name); "" when the log names none
	Line     int    // its line, when File is set
	Source   string // the text of that line as the log shows it ("" when clang had no text, as for #line files)
	Reason   string // the verifier's own line that was recognised
}

// String is "FILE:LINE: sentence", or the sentence alone when the log
// gives no place (before Linux 6.8 it gives the source text instead).
func (e Explanation) String() string {
	switch {
	case e.File != "":
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Sentence)
	case e.Source != "":
		return fmt.Sprintf("`%s`: %s", e.Source, e.Sentence)
	}
	return e.Sentence
}

// Explain recognises the failure a verifier log ends with. lang is "zh" for
// Chinese, anything else for English. It returns false for a log it does not
// recognise: then the log's own words are all there is.
func Explain(log []string, lang string) (Explanation, bool) {
	l := parse(log)
	if at := l.reasonStart(); at >= 0 {
		// The lines after the last instruction hold the reason; the first
		// one recognised is the verifier's main message (a second line,
		// such as "R6 max value is outside...", only adds detail).
		for i := at; i < len(l.lines); i++ {
			if e, ok := l.match(i, lang); ok {
				return e, true
			}
		}
	}
	// The reason may sit among other lines (a log from a kernel that words
	// things differently, or a truncated one): the last recognisable line.
	for i := len(l.lines) - 1; i >= 0; i-- {
		if l.kind[i] != other {
			continue
		}
		if e, ok := l.match(i, lang); ok {
			return e, true
		}
	}
	return Explanation{}, false
}

// TooLarge is the explanation for a load refused with E2BIG whose log says
// nothing Explain recognises: the kernel's answer when a program is too big
// or too complex to verify. The place is the last source line the log shows.
func TooLarge(log []string, lang string) Explanation {
	l := parse(log)
	return l.explain(len(l.lines), Loop, text(lang, mLoop), "")
}

// A log line is an instruction, a register state, a source line, or other
// text: the verifier's messages are among the others.
type lineKind int

const (
	other lineKind = iota
	instruction
	source
)

type parsedLog struct {
	lines []string
	kind  []lineKind
}

var (
	// "8: (79) r1 = *(u64 *)(r0 +0)", "0: R1=ctx() R10=fp0",
	// "from 6 to 18: R0=...", "18: frame1: ..."
	insnRe = regexp.MustCompile(`^(?:from \d+ to )?\d+: `)
	// "; *n += 1; @ nullchk.bpf.c:18", ";  @ hello.c:7" (no text: #line),
	// "10: ; while (n != 1) { @ loop.bpf.c:11" (a back-edge's places)
	sourceRe = regexp.MustCompile(`^(?:\d+: )?;(.*) @ (\S+):(\d+)$`)
	// Before Linux 6.8: "; *n += 1;"
	bareSourceRe = regexp.MustCompile(`^(?:\d+: )?; ?(.*)$`)
	linfoRe      = regexp.MustCompile(`^\d+: ;`)
	callRe       = regexp.MustCompile(`\bcall ([A-Za-z_][A-Za-z0-9_]*)#-?\d+`)
)

// window is how much of a log's end is read: the refusal and the source
// line it points at are in its last lines, and a log can hold a million.
const window = 2000

func parse(log []string) *parsedLog {
	if len(log) > window {
		log = log[len(log)-window:]
	}
	l := &parsedLog{}
	for _, line := range log {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k := other
		switch {
		case sourceRe.MatchString(line), strings.HasPrefix(line, ";"):
			k = source
		case linfoRe.MatchString(line):
			k = source
		case insnRe.MatchString(line):
			k = instruction
		}
		l.lines = append(l.lines, line)
		l.kind = append(l.kind, k)
	}
	return l
}

// reasonStart is the index of the first line after the last instruction or
// source line: where the verifier says why it stops. -1 if none is left.
func (l *parsedLog) reasonStart() int {
	for i := len(l.lines) - 1; i >= 0; i-- {
		if l.kind[i] != other {
			if i+1 < len(l.lines) {
				return i + 1
			}
			return -1
		}
	}
	if len(l.lines) > 0 {
		return 0 // no instruction at all: refused before the walk (stack size)
	}
	return -1
}

// place is the last source line before line i.
func (l *parsedLog) place(i int) (file string, line int, text string) {
	for j := i - 1; j >= 0; j-- {
		if l.kind[j] != source {
			continue
		}
		if m := sourceRe.FindStringSubmatch(l.lines[j]); m != nil {
			n, _ := strconv.Atoi(m[3])
			if n == 0 {
				continue // ";  @ file.c:0": code with no line of its own
			}
			return m[2], n, strings.TrimSpace(m[1])
		}
		if m := bareSourceRe.FindStringSubmatch(l.lines[j]); m != nil && strings.TrimSpace(m[1]) != "" {
			return "", 0, strings.TrimSpace(m[1])
		}
	}
	return "", 0, ""
}

// helperCalled is the helper of the last call instruction before line i.
func (l *parsedLog) helperCalled(i int) string {
	for j := i - 1; j >= 0; j-- {
		if l.kind[j] != instruction {
			continue
		}
		if m := callRe.FindStringSubmatch(l.lines[j]); m != nil {
			return m[1]
		}
	}
	return ""
}

// registerType is the type the log last showed register reg with before
// line i ("scalar", "0", "map_value_or_null", ...), scanning at most back
// to line stop; "" if it shows none.
func (l *parsedLog) registerType(reg string, i, stop int) (string, int) {
	re := regexp.MustCompile(`\b` + reg + `(?:_w)?=([^\s(,]+)`)
	for j := i - 1; j >= stop && j >= 0; j-- {
		if l.kind[j] != instruction {
			continue
		}
		if m := re.FindAllStringSubmatch(l.lines[j], -1); m != nil {
			return m[len(m)-1][1], j
		}
	}
	return "", -1
}

func (l *parsedLog) explain(i int, kind Kind, sentence, reason string) Explanation {
	file, line, src := l.place(i)
	return Explanation{Kind: kind, Sentence: sentence, File: file, Line: line, Source: src, Reason: reason}
}
