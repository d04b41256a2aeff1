package runplan

import (
	"fmt"
	"strings"
)

// ValidTracepoint checks a tracepoint's category and event names before
// they go into a tracefs path (events/CATEGORY/EVENT) or an attach call:
// each must be an identifier, [A-Za-z_][A-Za-z0-9_]*, as every tracepoint
// the kernel defines is. The error is one line naming the bad name.
func ValidTracepoint(category, event string) error {
	if !isName(category) {
		return fmt.Errorf("tracepoint category %s is not a name (letters, digits and _, not starting with a digit)", quoteName(category))
	}
	if !isName(event) {
		return fmt.Errorf("tracepoint event %s is not a name (letters, digits and _, not starting with a digit)", quoteName(event))
	}
	return nil
}

// ValidTracepointTarget checks a tracepoint target written
// "category:event", as Attach.Target holds it.
func ValidTracepointTarget(target string) error {
	category, event, ok := strings.Cut(target, ":")
	if !ok {
		return fmt.Errorf("tracepoint %s: want category:event", quoteName(target))
	}
	return ValidTracepoint(category, event)
}

// ValidRawTracepoint checks a raw tracepoint's name the same way.
func ValidRawTracepoint(event string) error {
	if !isName(event) {
		return fmt.Errorf("raw tracepoint %s is not a name (letters, digits and _, not starting with a digit)", quoteName(event))
	}
	return nil
}

func isName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// quoteName quotes a name for an error, escaped and cut short.
func quoteName(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
