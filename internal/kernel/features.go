package kernel

import (
	"os"
)

// HasKprobes reports whether the kernel can create kprobes: through the
// perf "kprobe" PMU (4.17+) or the older tracefs kprobe_events file.
// tracefsRoot may be "" when tracefs is not mounted.
func HasKprobes(tracefsRoot string) bool {
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe/type"); err == nil {
		return true
	}
	if tracefsRoot != "" {
		if _, err := os.Stat(tracefsRoot + "/kprobe_events"); err == nil {
			return true
		}
	}
	return false
}

// BTFPath is where the kernel exposes its own type information; CO-RE needs it.
const BTFPath = "/sys/kernel/btf/vmlinux"

// HasBTF reports whether the kernel exposes its BTF.
func HasBTF() bool {
	_, err := os.Stat(BTFPath)
	return err == nil
}
