package kernel

import (
	"fmt"
	"os"
	"strings"
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

// BPFLSMActive says why BPF LSM programs cannot attach, or nil when the
// kernel runs "bpf" among its LSMs (CONFIG_BPF_LSM=y, and "bpf" in lsm= or
// CONFIG_LSM). The list is read from securityfs; when that is not mounted
// the kernel's answer at attach time is all there is, so nil.
func BPFLSMActive() error {
	data, err := os.ReadFile("/sys/kernel/security/lsm")
	if err != nil {
		return nil
	}
	active := strings.TrimSpace(string(data))
	for _, name := range strings.Split(active, ",") {
		if name == "bpf" {
			return nil
		}
	}
	return fmt.Errorf("the kernel's active LSMs are %s, without bpf: BPF LSM programs need CONFIG_BPF_LSM=y and bpf in the lsm= boot parameter (e.g. lsm=%s,bpf)", active, active)
}
