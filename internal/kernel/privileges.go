package kernel

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Capability numbers from linux/capability.h.
const (
	CapDacReadSearch = 2
	CapSysAdmin      = 21
	CapPerfmon       = 38
	CapBPF           = 39
)

// ErrNotPrivileged says what loading and attaching tracing programs needs.
var ErrNotPrivileged = errors.New("loading BPF needs root, or CAP_BPF + CAP_PERFMON (+ CAP_DAC_READ_SEARCH to read tracefs): try sudo")

// EffectiveCaps returns the process's effective capability mask from /proc/self/status.
func EffectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read capabilities: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("read capabilities: no CapEff line in /proc/self/status")
}

// MissingCaps lists the capabilities, of those tracing needs, that mask
// lacks: CAP_BPF and CAP_PERFMON to load and attach (CAP_SYS_ADMIN covers
// both), and CAP_DAC_READ_SEARCH to read tracefs, which is root's only
// (tracepoint ids, trace_pipe).
func MissingCaps(mask uint64) []string {
	has := func(bit uint) bool { return mask&(1<<bit) != 0 }
	var missing []string
	if !has(CapSysAdmin) {
		if !has(CapBPF) {
			missing = append(missing, "CAP_BPF")
		}
		if !has(CapPerfmon) {
			missing = append(missing, "CAP_PERFMON")
		}
	}
	if !has(CapDacReadSearch) {
		missing = append(missing, "CAP_DAC_READ_SEARCH")
	}
	return missing
}

// CheckPrivileges returns ErrNotPrivileged unless the process is root or
// holds CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN also covers both on old kernels).
func CheckPrivileges() error {
	if os.Geteuid() == 0 {
		return nil
	}
	mask, err := EffectiveCaps()
	if err != nil {
		return err
	}
	has := func(bit uint) bool { return mask&(1<<bit) != 0 }
	if has(CapSysAdmin) || (has(CapBPF) && has(CapPerfmon)) {
		return nil
	}
	return ErrNotPrivileged
}
