package valuenames

import (
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Errno names errno n ("ENOENT" for 2); "" when n is not one.
func Errno(n int64) string {
	if n <= 0 || n > 4095 { // the kernel's MAX_ERRNO
		return ""
	}
	return unix.ErrnoName(syscall.Errno(n))
}

// Signal names signal n ("SIGUSR1" for 10, "SIGRTMIN+2" for 36); "" when
// n is not one.
func Signal(n int64) string {
	const rtmin, rtmax = 32, 64 // the kernel's: glibc reserves the first two
	switch {
	case n <= 0 || n > rtmax:
		return ""
	case n >= rtmin:
		if n == rtmin {
			return "SIGRTMIN"
		}
		return "SIGRTMIN+" + strconv.FormatInt(n-rtmin, 10)
	}
	return unix.SignalName(syscall.Signal(n))
}

// Syscall names syscall number n of this architecture ("openat"); "" when
// n is not one.
func Syscall(n int64) string {
	if n < 0 || n >= int64(len(syscallNames)) {
		return ""
	}
	return syscallNames[n]
}

// TCPState names a TCP state as the kernel's enum does ("TCP_SYN_SENT"
// for 2); "" for other numbers.
func TCPState(n int64) string {
	if n < 1 || n >= int64(len(tcpStates)) {
		return ""
	}
	return tcpStates[n]
}

// tcpStates are include/net/tcp_states.h's, stable since Linux 2.6.
var tcpStates = [...]string{
	1:  "TCP_ESTABLISHED",
	2:  "TCP_SYN_SENT",
	3:  "TCP_SYN_RECV",
	4:  "TCP_FIN_WAIT1",
	5:  "TCP_FIN_WAIT2",
	6:  "TCP_TIME_WAIT",
	7:  "TCP_CLOSE",
	8:  "TCP_CLOSE_WAIT",
	9:  "TCP_LAST_ACK",
	10: "TCP_LISTEN",
	11: "TCP_CLOSING",
	12: "TCP_NEW_SYN_RECV",
	13: "TCP_BOUND_INACTIVE",
}

// openFlags are open(2)'s flags after the access mode, composite ones
// (O_SYNC holds O_DSYNC's bit, O_TMPFILE O_DIRECTORY's) first so their bits
// are taken together.
var openFlags = []struct {
	bits uint64
	name string
}{
	{unix.O_SYNC, "O_SYNC"},
	{unix.O_TMPFILE, "O_TMPFILE"},
	{unix.O_CREAT, "O_CREAT"},
	{unix.O_EXCL, "O_EXCL"},
	{unix.O_NOCTTY, "O_NOCTTY"},
	{unix.O_TRUNC, "O_TRUNC"},
	{unix.O_APPEND, "O_APPEND"},
	{unix.O_NONBLOCK, "O_NONBLOCK"},
	{unix.O_DSYNC, "O_DSYNC"},
	{unix.O_ASYNC, "O_ASYNC"},
	{unix.O_DIRECT, "O_DIRECT"},
	{kernelLargefile, "O_LARGEFILE"},
	{unix.O_DIRECTORY, "O_DIRECTORY"},
	{unix.O_NOFOLLOW, "O_NOFOLLOW"},
	{unix.O_NOATIME, "O_NOATIME"},
	{unix.O_CLOEXEC, "O_CLOEXEC"},
	{unix.O_PATH, "O_PATH"},
}

// OpenFlags names open(2) flags as C writes them: the access mode, then
// each flag, "O_WRONLY|O_CREAT|O_TRUNC"; bits no name covers end it, in
// octal as C writes open flags ("|040000000000").
func OpenFlags(n uint64) string {
	var b strings.Builder
	switch n & unix.O_ACCMODE {
	case unix.O_RDONLY:
		b.WriteString("O_RDONLY")
	case unix.O_WRONLY:
		b.WriteString("O_WRONLY")
	case unix.O_RDWR:
		b.WriteString("O_RDWR")
	default:
		b.WriteString("O_ACCMODE")
	}
	rest := n &^ unix.O_ACCMODE
	for _, f := range openFlags {
		if f.bits != 0 && rest&f.bits == f.bits {
			b.WriteString("|" + f.name)
			rest &^= f.bits
		}
	}
	if rest != 0 {
		b.WriteString("|0" + strconv.FormatUint(rest, 8))
	}
	return b.String()
}
