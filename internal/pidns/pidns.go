// Package pidns tells whether this process runs in a child PID namespace,
// as in a container, and names that namespace the way the kernel's
// bpf_get_ns_current_pid_tgid helper wants it (bpf/pidns.h).
//
// Inside a container, `echo $$` and ps show the namespace's process ids,
// while BPF programs see the host's: the built-in programs show the
// namespace's when given Current's Dev and Ino.
package pidns

import (
	"os"
	"strings"
	"syscall"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"golang.org/x/sys/unix"
)

// initIno is the inode of the kernel's first PID namespace
// (PROC_PID_INIT_INO): any other one is a child, as in a container.
const initIno = 0xEFFFFFFC

// Namespace is a PID namespace as bpf_get_ns_current_pid_tgid names it.
type Namespace struct {
	Dev uint64 // nsfs's device, in the kernel's encoding (major<<20 | minor)
	Ino uint64 // the namespace's inode
}

// Current is this process's PID namespace and whether it is a child of the
// host's. A namespace that cannot be read counts as the host's.
func Current() (ns Namespace, child bool) {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/pid", &st); err == nil {
		// stat(2) gives the device in user space's encoding; the kernel
		// compares it with its own dev_t, whose minor has 20 bits.
		dev := uint64(unix.Major(st.Dev))<<20 | uint64(unix.Minor(st.Dev))
		return Namespace{Dev: dev, Ino: st.Ino}, st.Ino != initIno
	}
	// No nsfs (an old kernel or a /proc without it): NSpid lists one id
	// per namespace level from the /proc's own down.
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Namespace{}, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			return Namespace{}, len(strings.Fields(rest)) > 1
		}
	}
	return Namespace{}, false
}

// Container names the container this runs in, from what engines leave
// ("podman", "docker", or PID 1's $container, escaped), or "".
func Container() string {
	if _, err := os.Stat("/run/.containerenv"); err == nil {
		return "podman"
	}
	if _, err := os.Stat("/.dockerenv"); err == nil {
		return "docker"
	}
	env, _ := os.ReadFile("/proc/1/environ")
	return containerFromEnviron(env)
}

// containerFromEnviron reads container=NAME from a NUL-separated
// environment (systemd-nspawn, podman, lxc set it for PID 1).
func containerFromEnviron(env []byte) string {
	for _, kv := range strings.Split(string(env), "\x00") {
		if v, ok := strings.CutPrefix(kv, "container="); ok && v != "" {
			return textsafe.Escape(v)
		}
	}
	return ""
}
