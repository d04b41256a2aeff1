package kernel

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
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

// ErrRootWithoutCaps is root without what tracing needs: a container
// started without --privileged, whose root has a few capabilities only.
var ErrRootWithoutCaps = errors.New("running as root, but without the capabilities BPF tracing needs (CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN), as in a container started without --privileged: start it with --privileged (podman or docker run --privileged)")

// ErrSeccompRefusesBPF is a seccomp filter that refuses bpf(2), as the
// default profile of podman and older docker does for a container that has
// CAP_BPF but not CAP_SYS_ADMIN.
var ErrSeccompRefusesBPF = errors.New("a seccomp filter refuses the bpf() system call here, as a container's default profile does: start the container with --privileged, or with --security-opt seccomp=unconfined")

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

// CheckPrivileges returns nil if the process holds CAP_BPF and CAP_PERFMON
// (CAP_SYS_ADMIN also covers both on old kernels); else ErrRootWithoutCaps
// for root (a container's), ErrNotPrivileged for anyone else.
func CheckPrivileges() error {
	mask, err := EffectiveCaps()
	if err != nil {
		if os.Geteuid() == 0 {
			return nil // no /proc to tell: root is taken at its word
		}
		return err
	}
	has := func(bit uint) bool { return mask&(1<<bit) != 0 }
	switch {
	case has(CapSysAdmin) || (has(CapBPF) && has(CapPerfmon)):
		if seccompRefusesBPF() {
			return ErrSeccompRefusesBPF
		}
		return nil
	case os.Geteuid() == 0:
		return ErrRootWithoutCaps
	}
	return ErrNotPrivileged
}

// seccompRefusesBPF: under a seccomp filter, bpf(2) with an empty
// BPF_MAP_CREATE fails with EPERM, where the kernel itself, to a caller
// allowed to use bpf(), says EINVAL (no map type).
func seccompRefusesBPF() bool {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil || !strings.Contains(string(status), "\nSeccomp:\t2\n") {
		return false
	}
	_, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_MAP_CREATE, 0, 0)
	return errno == unix.EPERM
}
