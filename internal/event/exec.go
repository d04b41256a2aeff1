package event

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// Sizes from bpf/exec.h (enum exec_sizes).
const (
	ExecCommLen  = 16   // EXEC_COMM_LEN
	ExecFileLen  = 256  // EXEC_FILE_LEN
	ExecArgLen   = 256  // EXEC_ARG_LEN
	ExecMaxArgs  = 64   // EXEC_MAX_ARGS
	ExecArgsSize = 4096 // EXEC_ARGS_SIZE
)

// Slots of exec.bpf.c's per-CPU "drops" map (enum exec_drop_slot).
const (
	ExecDropBufferFull   = 0 // EXEC_DROP_BUFFER_FULL: the buffer was full, the event is lost
	ExecDropInflightFull = 1 // EXEC_DROP_INFLIGHT_FULL: the map of execs in flight was full
)

// ExecInvalidUID is targ_uid's "any user" (enum exec_filters).
const ExecInvalidUID = 0xffffffff

// exec_event.flags bits (enum exec_event_flags).
const (
	execFileCut        = 1 // EXEC_FILE_CUT
	execFileUnreadable = 2 // EXEC_FILE_UNREADABLE
	execArgsMore       = 4 // EXEC_ARGS_MORE
	execArgsUnreadable = 8 // EXEC_ARGS_UNREADABLE
)

// rawExec is struct exec_event from bpf/exec.h, field for field.
type rawExec struct {
	TsNs      uint64
	CutArgs   uint64
	PID       uint32
	TID       uint32
	PPID      uint32
	HostPID   uint32
	HostPPID  uint32
	UID       uint32
	Ret       int32
	Flags     uint32
	ArgsCount uint32
	ArgsSize  uint32
	Comm      [ExecCommLen]byte
	File      [ExecFileLen]byte
	Args      [ExecArgsSize]byte
}

// ExecMinSize is the smallest exec sample: everything before args (the
// program sends only the arguments' bytes).
const ExecMinSize = int(unsafe.Offsetof(rawExec{}.Args))

// ErrShortExec is a sample smaller than the fixed part of an exec_event.
var ErrShortExec = errors.New("sample shorter than struct exec_event")

// Exec is one process execution.
type Exec struct {
	TsNs           uint64 // kernel monotonic time when exec returned
	PID            uint32 // process id (tgid); in a PID namespace, its (0: the task is outside it)
	TID            uint32 // the thread that called exec; in a PID namespace, its
	PPID           uint32 // parent process id; in a PID namespace, its (0: outside it)
	HostPID        uint32 // the host's process id
	HostPPID       uint32 // the host's parent process id
	UID            uint32 // real user id when exec was called
	Ret            int32  // 0, or -errno
	Comm           string // after a successful exec, the new program's name
	File           string // the path given to exec
	FileCut        bool   // File is the start of a longer path
	FileUnreadable bool
	Args           []string // argv as kept: at most ExecMaxArgs, each at most ExecArgLen-1 bytes
	ArgCut         []bool   // ArgCut[i]: Args[i] is the start of a longer argument
	ArgsMore       bool     // argv had more arguments than Args holds
	ArgsUnreadable bool     // argv could not be read past len(Args)
}

// DecodeExec turns one sample into an Exec. Arguments are split at the NULs
// of the bytes the program filled, never past them.
func DecodeExec(sample []byte, out *Exec) error {
	if len(sample) < ExecMinSize {
		return fmt.Errorf("%w: %d bytes, want at least %d", ErrShortExec, len(sample), ExecMinSize)
	}
	// Copy into an aligned value, in the machine's byte order (as the kernel wrote it).
	var raw rawExec
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&raw)), unsafe.Sizeof(raw)), sample)
	*out = Exec{
		TsNs:           raw.TsNs,
		PID:            raw.PID,
		TID:            raw.TID,
		PPID:           raw.PPID,
		HostPID:        raw.HostPID,
		HostPPID:       raw.HostPPID,
		UID:            raw.UID,
		Ret:            raw.Ret,
		Comm:           cString(raw.Comm[:]),
		File:           cString(raw.File[:]),
		FileCut:        raw.Flags&execFileCut != 0,
		FileUnreadable: raw.Flags&execFileUnreadable != 0,
		ArgsMore:       raw.Flags&execArgsMore != 0,
		ArgsUnreadable: raw.Flags&execArgsUnreadable != 0,
	}
	size := min(int(raw.ArgsSize), ExecArgsSize, len(sample)-ExecMinSize)
	args := raw.Args[:size]
	for i := 0; i < int(raw.ArgsCount) && i < ExecMaxArgs && len(args) > 0; i++ {
		end := len(args)
		if n := indexNUL(args); n >= 0 {
			end = n
		}
		out.Args = append(out.Args, string(args[:end]))
		out.ArgCut = append(out.ArgCut, raw.CutArgs&(1<<i) != 0)
		args = args[min(end+1, len(args)):]
	}
	return nil
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// ExecTime reads a sample's ts_ns without decoding the rest (0 for a sample
// too short to hold it), to put samples in time order.
func ExecTime(sample []byte) uint64 {
	off := int(unsafe.Offsetof(rawExec{}.TsNs))
	if len(sample) < off+8 {
		return 0
	}
	return binary.NativeEndian.Uint64(sample[off:])
}
