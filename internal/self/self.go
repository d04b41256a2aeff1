// Package self tells whether a process or thread id is this process's own.
//
// A program on write(2), openat(2) or read(2) fires for ebpf-hello too:
// every line run prints is a write, which makes another line, which is
// another write. run drops what its own threads caused (and counts it),
// so it needs to know its thread ids, which Go creates as it goes.
//
// In a child PID namespace (a container) BPF programs see the host's ids
// and this process knows only the namespace's: there IDs owns nothing,
// rather than take someone else's host id for one of its own.
package self

import (
	"os"
	"strconv"

	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
)

// maxRemembered bounds the ids remembered as someone else's (thread ids are
// reused only after the kernel wraps pid_max).
const maxRemembered = 1 << 14

// IDs answers "is this id ours?" for the process and its threads. Not safe
// for concurrent use: one per reader.
type IDs struct {
	blind  bool // in a child PID namespace: ids in events are the host's
	pid    int
	ours   map[int]bool // tids seen to be ours
	others map[int]bool // ids seen to be someone else's
}

// New returns the ids of the calling process.
func New() *IDs {
	_, child := pidns.Current()
	return &IDs{blind: child, pid: os.Getpid(), ours: map[int]bool{}, others: map[int]bool{}}
}

// Blind reports that ids cannot be told here (a child PID namespace): Owns
// is always false.
func (s *IDs) Blind() bool { return s.blind }

// PID is the process id (the thread group id).
func (s *IDs) PID() int { return s.pid }

// Owns reports whether id is this process or one of its threads. An id
// not seen before costs one stat of /proc/self/task/ID; the answer is
// remembered.
func (s *IDs) Owns(id int) bool {
	if s.blind {
		return false
	}
	if id == s.pid || s.ours[id] {
		return true
	}
	if id <= 0 || s.others[id] {
		return false
	}
	if _, err := os.Stat("/proc/self/task/" + strconv.Itoa(id)); err == nil {
		s.ours[id] = true
		return true
	}
	if len(s.others) >= maxRemembered {
		clear(s.others)
	}
	s.others[id] = true
	return false
}
