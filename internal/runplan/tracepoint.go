package runplan

import (
	"fmt"
	"os"
	"path/filepath"
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

// MissingTracepoint says why tracepoint category:event is not in tracefs
// (the tracefs root, e.g. /sys/kernel/tracing): its category is here
// without it (renamed or removed in this kernel version), or the category
// is not here at all (its code is not in this kernel, or a module that is
// not loaded provides it, as kvm's do; syscalls' needs
// CONFIG_FTRACE_SYSCALLS). One line, names escaped.
func MissingTracepoint(tracefs, category, event string) string {
	release, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return missingTracepoint(tracefs, filepath.Join("/lib/modules", strings.TrimSpace(string(release))), category, event)
}

// missingTracepoint is MissingTracepoint with the modules' directory
// (/lib/modules/RELEASE, where modules.dep lists them) given.
func missingTracepoint(tracefs, modules, category, event string) string {
	tp := quoteName(category + ":" + event)
	tp = tp[1 : len(tp)-1]
	cat, ev := quoteName(category), quoteName(event)
	cat, ev = cat[1:len(cat)-1], ev[1:len(ev)-1]
	events := filepath.Join(tracefs, "events")
	if ValidTracepoint(category, event) != nil {
		return fmt.Sprintf("tracepoint %s: not a category:event name", tp)
	}
	if st, err := os.Stat(filepath.Join(events, category)); err == nil && st.IsDir() {
		return fmt.Sprintf("tracepoint %s does not exist on this kernel: category %s has no event %s (renamed or removed in this version; its events are in %s)",
			tp, cat, ev, filepath.Join(events, category))
	}
	if category == "syscalls" {
		return fmt.Sprintf("tracepoint %s does not exist on this kernel: no syscalls tracepoints at all (kernel built without CONFIG_FTRACE_SYSCALLS)", tp)
	}
	if module := moduleNamed(modules, category); module != "" {
		return fmt.Sprintf("tracepoint %s does not exist now: no tracepoint category %s, which the %s module provides, and it is not loaded (modprobe %s)", tp, cat, module, module)
	}
	return fmt.Sprintf("tracepoint %s does not exist on this kernel: no tracepoint category %s (not built into this kernel; if a module provides it, its tracepoints appear once the module is loaded; %s lists the categories)", tp, cat, events)
}

// moduleNamed is name when modules.dep in dir lists a module of that name
// (kvm: .../kvm.ko, .ko.xz, .ko.zst...), else "".
func moduleNamed(dir, name string) string {
	dep, err := os.ReadFile(filepath.Join(dir, "modules.dep"))
	if err != nil || len(dep) > 16<<20 {
		return ""
	}
	for _, line := range strings.Split(string(dep), "\n") {
		path, _, _ := strings.Cut(line, ":")
		base := filepath.Base(path)
		if i := strings.Index(base, ".ko"); i > 0 && strings.ReplaceAll(base[:i], "-", "_") == name {
			return name
		}
	}
	return ""
}
