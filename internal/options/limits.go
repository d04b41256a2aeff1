package options

import (
	"fmt"
	"time"
)

// Limits end a run: after Count events or lines, or after Duration.
type Limits struct {
	Count    int // 0: no limit
	Duration time.Duration
}

// Validate checks --count and --duration.
func (l Limits) Validate() error {
	if l.Count < 0 {
		return fmt.Errorf("invalid --count %d: must be 0 (no limit) or more", l.Count)
	}
	if l.Duration < 0 {
		return fmt.Errorf("invalid --duration %s: must be positive", l.Duration)
	}
	return nil
}

// Id limits. MaxPID is the kernel's PID_MAX_LIMIT (pid_max can be raised
// to it, never above). MaxUID is (uid_t)-1, which means "no user".
const (
	MaxPID = 4194304
	MaxUID = 1<<32 - 1
)

// commLen is the kernel's TASK_COMM_LEN: a command name keeps 15 bytes and a NUL.
const commLen = 16

// checkIDs checks the id filters the BPF programs compare as 32-bit values:
// a larger value would wrap around (--pid 4294967297 would trace pid 1).
// pid and tid: 0 means any; uid: -1 means any.
func checkIDs(pid, tid, uid int) error {
	if pid < 0 || pid > MaxPID {
		return fmt.Errorf("invalid --pid %d: a process id is between 1 and %d", pid, MaxPID)
	}
	if tid < 0 || tid > MaxPID {
		return fmt.Errorf("invalid --tid %d: a thread id is between 1 and %d", tid, MaxPID)
	}
	if uid < -1 || uid >= MaxUID {
		return fmt.Errorf("invalid --uid %d: a user id is between 0 and %d", uid, MaxUID-1)
	}
	return nil
}

// cutComm keeps what the kernel keeps of a command name.
func cutComm(comm string) string {
	if len(comm) > commLen-1 {
		return comm[:commLen-1]
	}
	return comm
}

// checkPages checks a buffer size in pages: a power of two up to 65536.
func checkPages(pages int) error {
	if pages < 1 || pages&(pages-1) != 0 {
		return fmt.Errorf("invalid --pages %d: must be a power of two (1, 2, 4, ... 65536)", pages)
	}
	if pages > 65536 {
		return fmt.Errorf("invalid --pages %d: at most 65536", pages)
	}
	return nil
}
