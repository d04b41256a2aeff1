package tracepipe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// Holder is a process that has trace_pipe open.
type Holder struct {
	PID  int
	Comm string // as in /proc/PID/comm, escaped for printing
}

func (h Holder) String() string { return fmt.Sprintf("pid %d (%s)", h.PID, h.Comm) }

// Holders lists the processes, other than this one, that have the file at
// path (a trace_pipe) open, from the links in /proc/*/fd. Processes whose
// fds cannot be read (another user's, without privileges) are not listed.
func Holders(path string) []Holder {
	self := os.Getpid()
	procs, _ := filepath.Glob("/proc/[0-9]*")
	var out []Holder
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil || pid == self {
			continue
		}
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join(dir, "fd", fd.Name())); err == nil && samePipe(target, path) {
				comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
				out = append(out, Holder{PID: pid, Comm: textsafe.Escape(strings.TrimSuffix(string(comm), "\n"))})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// samePipe: tracefs may be reached as /sys/kernel/tracing or through
// /sys/kernel/debug/tracing, so compare the last two path elements.
func samePipe(target, path string) bool {
	return target == path || filepath.Base(target) == "trace_pipe" &&
		filepath.Base(filepath.Dir(target)) == filepath.Base(filepath.Dir(path)) &&
		filepath.Base(path) == "trace_pipe"
}

// ErrBusy is returned by Open when the kernel allows one reader of
// trace_pipe at a time (recent kernels) and another process is reading it.
var ErrBusy = errors.New("trace_pipe is already being read")

// busyError names who holds trace_pipe.
func busyError(path string) error {
	holders := Holders(path)
	if len(holders) == 0 {
		return fmt.Errorf("%w by another process, and this kernel allows one reader at a time (%s: %v)", ErrBusy, path, unix.EBUSY)
	}
	names := make([]string, len(holders))
	for i, h := range holders {
		names[i] = h.String()
	}
	return fmt.Errorf("%w by %s, and this kernel allows one reader at a time: stop it, or wait until it ends", ErrBusy, strings.Join(names, ", "))
}
