package verifierhelp

import (
	"regexp"
	"strconv"
	"strings"
)

// A rule recognises one verifier message. The patterns follow the wording
// of the kernel's messages from Linux 5.x to 6.x (the type names changed:
// "inv" became "scalar"; "R2" was added to the stack messages).
type rule struct {
	re      *regexp.Regexp
	explain func(l *parsedLog, i int, m []string, lang string) (Explanation, bool)
}

func re(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// rules are tried in order on one line: the NULL cases come before the
// general "wrong type" one, which would match them too.
var rules = []rule{
	// A maybe-NULL pointer dereferenced, or passed to a helper.
	{re(`^R(\d+) invalid mem access '([a-z_]*or_null[a-z_]*)'`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, NullCheck, nullSentence(m[2], lang), l.lines[i]), true
	}},
	{re(`^R(\d+) type=([a-z_]*or_null[a-z_]*) expected=`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, NullCheck, nullSentence(m[2], lang), l.lines[i]), true
	}},
	{re(`^Possibly NULL pointer passed to helper arg\d+`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, NullCheck, nullSentence("", lang), l.lines[i]), true
	}},
	// A number dereferenced: a NULL the code did not check (the register is
	// known to be 0 there), or an address read without bpf_probe_read_*.
	{re(`^R(\d+) invalid mem access '(scalar|inv)'`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		reg := "R" + m[1]
		typ, at := l.registerType(reg, i, 0)
		if isZero(typ) {
			// Where did the 0 come from? A maybe-NULL pointer, if the log
			// showed one in that register before.
			for at > 0 {
				var prev string
				prev, at = l.registerType(reg, at, 0)
				if strings.Contains(prev, "or_null") {
					return l.explain(i, NullCheck, nullSentence(prev, lang), l.lines[i]), true
				}
				if prev == "" || !isZero(prev) {
					break
				}
			}
			return l.explain(i, NullCheck, text(lang, mNullZero), l.lines[i]), true
		}
		return l.explain(i, DirectRead, text(lang, mDirectRead), l.lines[i]), true
	}},
	{re(`^R\d+ is ptr_\S+ access user memory`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, DirectRead, text(lang, mUserRead), l.lines[i]), true
	}},
	{re(`^R\d+ invalid mem access 'user_`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, DirectRead, text(lang, mUserRead), l.lines[i]), true
	}},

	// The license.
	{re(`^cannot call GPL-restricted function from non-GPL compatible program`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, GPLOnly, text(lang, mGPL, helperName(l.helperCalled(i), lang)), l.lines[i]), true
	}},
	{re(`^Cannot access kernel 'struct (\S+)' from non-GPL compatible program`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		what := "struct " + m[1]
		return l.explain(i, GPLOnly, text(lang, mGPLStruct, what), l.lines[i]), true
	}},

	// A helper this program type may not call.
	{re(`^(?:program of this type cannot use helper|unknown func) ([A-Za-z_][A-Za-z0-9_]*)#\d+`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, HelperNotAllowed, text(lang, mHelper, m[1]), l.lines[i]), true
	}},
	{re(`^calling kernel function (\S+) is not allowed`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, HelperNotAllowed, text(lang, mHelper, m[1]), l.lines[i]), true
	}},

	// A helper argument of the wrong kind.
	{re(`^R(\d) type=(\S+) expected=(.+)$`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		arg, _ := strconv.Atoi(m[1])
		if arg < 1 || arg > 5 {
			return Explanation{}, false
		}
		return l.explain(i, WrongArgument, wrongArgSentence(arg, l.helperCalled(i), m[2], m[3], lang), l.lines[i]), true
	}},

	// Loops and size.
	{re(`^infinite loop detected at insn \d+`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, Loop, text(lang, mInfiniteLoop), l.lines[i]), true
	}},
	{re(`^(?:BPF program is too large\. Processed \d+ insn|The sequence of \d+ jumps is too complex|back-edge from insn \d+ to \d+|jump out of range from insn \d+ to \d+)`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, Loop, text(lang, mLoop), l.lines[i]), true
	}},
	{re(`^combined stack size of \d+ calls is (\d+)\. Too large`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, StackTooLarge, text(lang, mStackCombined, m[1]), l.lines[i]), true
	}},

	// Stack never written, read by the program or by a helper:
	// "invalid read from stack R2 off -16+0 size 8",
	// "invalid indirect read from stack R4 off -16+4 size 16",
	// "invalid indirect read from stack off -8+0 size 8" (older).
	{re(`^invalid (?:indirect )?read from stack (?:R\d+ )?(?:off -?\d+\+\d+|var_off \S+\+\d+)`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, UninitStack, text(lang, mUninit), l.lines[i]), true
	}},

	// Out of bounds.
	{re(`^invalid (?:unbounded )?variable-offset\b.*\bstack\b`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mStackBounds), l.lines[i]), true
	}},
	{re(`^R\d+ variable offset stack access prohibited`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mStackBounds), l.lines[i]), true
	}},
	// "invalid write to stack R10 off=-520 size=8", "invalid stack off=-520 size=8" (older)
	{re(`^invalid(?: [a-z ]+?)? stack (?:R\d+ )?off=(-?\d+)`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		if off, err := strconv.Atoi(m[1]); err == nil && off < -512 {
			return l.explain(i, StackTooLarge, text(lang, mStackLimit), l.lines[i]), true
		}
		return l.explain(i, OutOfBounds, text(lang, mStackBounds), l.lines[i]), true
	}},
	{re(`^invalid access to map value, value_size=(\d+) off=-?\d+ size=\d+`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mMapBounds, m[1]), l.lines[i]), true
	}},
	{re(`^(?:invalid access to packet\b|R\d+ offset is outside of the packet)`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mPacketBounds), l.lines[i]), true
	}},
	{re(`^invalid bpf_context access off=`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mContextBounds), l.lines[i]), true
	}},
	{re(`^R\d+ min value is negative`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mNegativeIndex), l.lines[i]), true
	}},
	{re(`^(?:invalid access to memory, mem_size=\d+|R\d+ unbounded memory access|R\d+ (?:min|max) value is outside of the allowed memory range)`), func(l *parsedLog, i int, m []string, lang string) (Explanation, bool) {
		return l.explain(i, OutOfBounds, text(lang, mMemoryBounds), l.lines[i]), true
	}},
}

func (l *parsedLog) match(i int, lang string) (Explanation, bool) {
	for _, r := range rules {
		if m := r.re.FindStringSubmatch(l.lines[i]); m != nil {
			if e, ok := r.explain(l, i, m, lang); ok {
				return e, true
			}
		}
	}
	return Explanation{}, false
}

// isZero: a register state that is the constant 0 ("0", "P0"; "inv0" before 5.18).
func isZero(typ string) bool {
	switch typ {
	case "0", "P0", "inv0", "invP0":
		return true
	}
	return false
}

func nullSentence(typ string, lang string) string {
	switch {
	case strings.HasPrefix(typ, "map_value"):
		return text(lang, mNullMap)
	case strings.Contains(typ, "ringbuf"):
		return text(lang, mNullRing)
	}
	return text(lang, mNullOther)
}

// helperName is how the learner knows the helper: bpf_printk() is a macro
// over bpf_trace_printk (or bpf_trace_vprintk, with more than 3 arguments).
func helperName(helper, lang string) string {
	switch helper {
	case "":
		return text(lang, mThisHelper)
	case "bpf_trace_printk", "bpf_trace_vprintk":
		return helper + " (bpf_printk)"
	}
	return helper
}

func wrongArgSentence(arg int, helper, got, expected, lang string) string {
	if helper == "" {
		helper = text(lang, mThisHelper)
	}
	want := strings.Split(expected, ", ")
	wantWords := typeWords(want[0], lang)
	for _, w := range want {
		if w == "fp" {
			wantWords = text(lang, mWantMemory)
		}
	}
	hint := text(lang, mHintCheck)
	switch {
	case want[0] == "map_ptr":
		hint = text(lang, mHintMap)
	case want[0] == "ctx":
		hint = text(lang, mHintCtx)
	case (got == "scalar" || got == "inv") && wantWords == text(lang, mWantMemory):
		hint = text(lang, mHintAddress)
	}
	return text(lang, mWrongArg, arg, helper, wantWords, typeWords(got, lang), hint)
}

// typeWords names a verifier register type in words.
func typeWords(typ, lang string) string {
	switch {
	case typ == "scalar" || typ == "inv":
		return text(lang, mTypeScalar)
	case typ == "fp":
		return text(lang, mTypeStack)
	case typ == "ctx":
		return text(lang, mTypeCtx)
	case typ == "map_ptr":
		return text(lang, mTypeMap)
	case typ == "map_value":
		return text(lang, mTypeMapValue)
	case typ == "map_key":
		return text(lang, mTypeMapKey)
	case strings.HasPrefix(typ, "pkt"):
		return text(lang, mTypePacket)
	case strings.Contains(typ, "ptr_"):
		return text(lang, mTypeKernel)
	}
	return "`" + typ + "`"
}
