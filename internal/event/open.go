package event

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sizes from bpf/open.h (enum open_sizes).
const (
	TaskCommLen = 16  // COMM_LEN
	FnameLen    = 256 // FNAME_LEN
)

// Slots of open.bpf.c's per-CPU "drops" map (enum drop_slot).
const (
	DropBufferFull = 0 // DROP_BUFFER_FULL: the buffer was full, the event is lost
	DropStashFull  = 1 // DROP_STASH_FULL: sent at entry, without its result
)

// InvalidUID is targ_uid's "any user" (enum open_filters).
const InvalidUID = 0xffffffff

// open_event.flags bits from bpf/open.h.
const (
	flagHasRet  = 1 // EVENT_HAS_RET
	flagNameCut = 2 // EVENT_NAME_CUT
)

// rawOpen is struct open_event from bpf/open.h, field for field.
type rawOpen struct {
	TsNs    uint64
	PID     uint32
	TID     uint32
	HostPID uint32
	HostTID uint32
	UID     uint32
	Ret     int32
	NameErr int32
	Flags   uint32
	Comm    [TaskCommLen]byte
	Fname   [FnameLen]byte
}

// RawSize is the size of one open_event in bytes.
const RawSize = int(unsafe.Sizeof(rawOpen{}))

// MinSize is the smallest sample: everything before fname. The perf
// variant sends only the name's bytes, so samples vary in length.
const MinSize = int(unsafe.Offsetof(rawOpen{}.Fname))

// ErrShortSample is a sample smaller than an open_event.
var ErrShortSample = errors.New("sample shorter than struct open_event")

// Open is one file open, as seen by the kernel.
type Open struct {
	TsNs    uint64 // kernel monotonic time (bpf_ktime_get_ns)
	PID     uint32 // process id (tgid); in a PID namespace, its (0: the task is outside it)
	TID     uint32 // thread id; in a PID namespace, its
	HostPID uint32 // the host's process id
	HostTID uint32 // the host's thread id
	UID     uint32
	Comm    string
	File    string // exactly as passed to open: relative paths stay relative
	NameErr int32  // negative errno when the file name could not be read
	NameCut bool   // the name was longer than FnameLen-1 bytes: File is its beginning
	HasRet  bool   // Ret is known (the name was read at exit)
	Ret     int32  // fd, or -errno
}

// Decode turns one sample into an Open. A sample may stop after the name's
// NUL (perf) or carry up to 7 bytes of padding after the event; only one
// shorter than the fixed fields is an error.
func Decode(sample []byte, out *Open) error {
	if len(sample) < MinSize {
		return fmt.Errorf("%w: %d bytes, want at least %d", ErrShortSample, len(sample), MinSize)
	}
	// Copy into an aligned value: sample bytes carry no alignment guarantee.
	// The copy uses the machine's byte order, the same the kernel wrote with.
	var raw rawOpen // zero: a short sample leaves the rest of fname empty
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&raw)), RawSize), sample)
	*out = Open{
		TsNs:    raw.TsNs,
		PID:     raw.PID,
		TID:     raw.TID,
		HostPID: raw.HostPID,
		HostTID: raw.HostTID,
		UID:     raw.UID,
		Comm:    cString(raw.Comm[:]),
		File:    cString(raw.Fname[:]),
		NameErr: raw.NameErr,
		NameCut: raw.Flags&flagNameCut != 0,
		HasRet:  raw.Flags&flagHasRet != 0,
		Ret:     raw.Ret,
	}
	return nil
}

// cString cuts b at its first NUL: bytes after it are not part of the string.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// FileOrError is the file name, or a marker saying why it could not be read: never an empty name.
func (o *Open) FileOrError() string {
	if o.NameErr != 0 {
		if name := unix.ErrnoName(syscall.Errno(-o.NameErr)); name != "" {
			return "<read error " + name + ">" // EFAULT reads better than -14
		}
		return fmt.Sprintf("<read error %d>", o.NameErr)
	}
	if o.File == "" {
		return "<empty>"
	}
	return o.File
}

// Time reads a sample's ts_ns without decoding the rest (0 for a sample
// too short to hold it), to put samples in time order.
func Time(sample []byte) uint64 {
	off := int(unsafe.Offsetof(rawOpen{}.TsNs))
	if len(sample) < off+8 {
		return 0
	}
	return binary.NativeEndian.Uint64(sample[off:])
}
