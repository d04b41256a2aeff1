// Package tracefs finds, and if needed mounts, the kernel's tracing
// file system, where trace_pipe and the tracepoint definitions live.
package tracefs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
)

// Where tracefs is mounted: /sys/kernel/tracing since 4.1; older setups
// reach it through debugfs.
const (
	Path       = "/sys/kernel/tracing"
	DebugfsDir = "/sys/kernel/debug/tracing"
)

// ErrNotMounted means neither location holds a tracefs.
var ErrNotMounted = errors.New("tracefs is not mounted at " + Path + " or " + DebugfsDir)

// Find returns the tracefs root in use.
func Find() (string, error) {
	for _, dir := range []string{Path, DebugfsDir} {
		if isTracefs(dir) {
			return dir, nil
		}
	}
	return "", ErrNotMounted
}

// isTracefs checks the file system type, not just the directory: an
// unmounted /sys/kernel/tracing exists but is empty.
func isTracefs(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	if st.Type == unix.TRACEFS_MAGIC {
		return true
	}
	// Via debugfs the directory may be an automount of tracefs, or plain debugfs files.
	_, err := os.Stat(filepath.Join(dir, "trace_pipe"))
	return st.Type == unix.DEBUGFS_MAGIC && err == nil
}

// Mount mounts tracefs at Path.
func Mount() (string, error) {
	if err := unix.Mount("nodev", Path, "tracefs", 0, ""); err != nil {
		if errors.Is(err, unix.EPERM) {
			if _, child := pidns.Current(); child || pidns.Container() != "" {
				return "", fmt.Errorf("tracefs is not mounted in this container, and the container may not mount it (CAP_SYS_ADMIN): start it with --privileged, or give it the host's with -v /sys/kernel/tracing:/sys/kernel/tracing: %w", err)
			}
			return "", fmt.Errorf("mounting tracefs needs root or CAP_SYS_ADMIN: %w", err)
		}
		return "", fmt.Errorf("mount tracefs at %s: %w", Path, err)
	}
	return Path, nil
}

// Ensure returns the tracefs root, mounting it first when it is missing;
// notify is told when that happens, so the user knows the system changed.
func Ensure(notify func(msg string)) (string, error) {
	if root, err := Find(); err == nil {
		return root, nil
	}
	root, err := Mount()
	if err != nil {
		return "", err
	}
	if notify != nil {
		notify("tracefs was not mounted; mounted it at " + root)
	}
	return root, nil
}

// ErrNoAccess wraps a permission error on a tracefs file. tracefs is
// readable by root only on current kernels: CAP_BPF and CAP_PERFMON let a
// process load and attach BPF, but reading tracefs (tracepoint ids,
// trace_pipe) takes CAP_DAC_READ_SEARCH too.
var ErrNoAccess = errors.New("tracefs is readable by root only: run as root, or add CAP_DAC_READ_SEARCH to CAP_BPF and CAP_PERFMON")

// AccessError turns a permission error on path into one that says what is
// missing; other errors are returned as they are.
func AccessError(path string, err error) error {
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("cannot read %s: permission denied: %w", path, ErrNoAccess)
	}
	return err
}
