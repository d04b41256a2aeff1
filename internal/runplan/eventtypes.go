package runplan

import (
	"regexp"
	"strings"
)

var (
	// bpf_ringbuf_reserve(&MAP, sizeof(*VAR) | sizeof(struct T) | sizeof(T), ...)
	reserveCall = regexp.MustCompile(`bpf_ringbuf_reserve\s*\(\s*&\s*(\w+)\s*,\s*sizeof\s*\(?\s*(?:\*\s*(\w+)|struct\s+(\w+)|(\w+))\s*\)?`)
	// bpf_perf_event_output(CTX, &MAP, FLAGS, [&]VAR, ...)
	perfOutputCall = regexp.MustCompile(`bpf_perf_event_output\s*\(\s*\w+\s*,\s*&\s*(\w+)\s*,[^,;]*,\s*&?\s*(\w+)\s*,`)
	// bpf_ringbuf_output(&MAP, [&]VAR, ...)
	ringOutputCall = regexp.MustCompile(`bpf_ringbuf_output\s*\(\s*&\s*(\w+)\s*,\s*&?\s*(\w+)\s*,`)
	// bpf_seq_write(SEQ, [&]VAR, ...): an iterator writing records
	seqWriteCall = regexp.MustCompile(`bpf_seq_write\s*\(\s*[^,;()]+\s*,\s*&?\s*(\w+)\s*,`)
)

// SeqWrite is EventTypes' key for the struct an iterator writes whole
// with bpf_seq_write (libbpf-bootstrap's task_iter): its output is then
// records of that struct, not text. No map can have this name.
const SeqWrite = "bpf_seq_write()"

// EventTypes reads a libbpf-style program's C source for the struct each
// perf or ring buffer map is sent: the type of what goes into
// bpf_ringbuf_reserve's sizeof, or of the variable given to
// bpf_perf_event_output or bpf_ringbuf_output (libbpf-bootstrap's
// `struct stacktrace_event *event = bpf_ringbuf_reserve(&events,
// sizeof(*event), 0)`). Such a struct is used only as a local type: not
// in BTF by any name a map points at, so its name comes from here. A map
// sent two different types is left out, as is a variable declared as two.
func EventTypes(src []byte) map[string]string {
	text := lineNote.ReplaceAllString(string(src), " ")
	seen := map[string]map[string]bool{}
	add := func(m, t string) {
		if m == "" || t == "" {
			return
		}
		if seen[m] == nil {
			seen[m] = map[string]bool{}
		}
		seen[m][t] = true
	}
	for _, c := range reserveCall.FindAllStringSubmatch(text, -1) {
		switch {
		case c[2] != "":
			add(c[1], varType(text, c[2]))
		case c[3] != "":
			add(c[1], c[3])
		case c[4] != "" && c[4] != "struct":
			add(c[1], c[4])
		}
	}
	for _, re := range []*regexp.Regexp{perfOutputCall, ringOutputCall} {
		for _, c := range re.FindAllStringSubmatch(text, -1) {
			add(c[1], varType(text, c[2]))
		}
	}
	for _, c := range seqWriteCall.FindAllStringSubmatch(text, -1) {
		add(SeqWrite, varType(text, c[1]))
	}
	out := map[string]string{}
	for m, types := range seen {
		if len(types) == 1 {
			for t := range types {
				out[m] = t
			}
		}
	}
	return out
}

// varType is the struct variable name is declared as (struct T name, or
// struct T *name), or "" when not exactly one.
func varType(text, name string) string {
	// a space or a * between type and name: "struct cap_event)" is not
	// "struct cap_" + "event"
	decl := regexp.MustCompile(`\bstruct\s+(\w+)(?:\s*\*\s*|\s+)` + regexp.QuoteMeta(name) + `\s*[;=,)\[]`)
	types := map[string]bool{}
	for _, d := range decl.FindAllStringSubmatch(text, -1) {
		types[d[1]] = true
	}
	if len(types) != 1 {
		return ""
	}
	for t := range types {
		return strings.TrimSpace(t)
	}
	return ""
}
