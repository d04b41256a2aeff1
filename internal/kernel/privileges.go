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
	CapSysAdmin = 21
	CapPerfmon  = 38
	CapBPF      = 39
)

// ErrNotPrivileged says what loading and attaching tracing programs needs.
var ErrNotPrivileged = errors.New("loading BPF needs root, or CAP_BPF + CAP_PERFMON (+ CAP_SYS_ADMIN for tracefs): try sudo")

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

// MissingCaps lists the capabilities, of those tracing needs, that mask lacks.
func MissingCaps(mask uint64) []string {
	var missing []string
	for _, c := range []struct {
		bit  uint
		name string
	}{{CapBPF, "CAP_BPF"}, {CapPerfmon, "CAP_PERFMON"}, {CapSysAdmin, "CAP_SYS_ADMIN"}} {
		if mask&(1<<c.bit) == 0 {
			missing = append(missing, c.name)
		}
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
