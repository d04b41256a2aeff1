// Package safefile reads files a user names without trusting them, and
// tells whether a path is one only root could have written.
//
// A learner's input may be anything with a name: /dev/zero (endless), a
// FIFO (blocks until somebody writes), a symlink to either, or a file of
// gigabytes. Read only regular files, up to a stated size, opened so that
// opening itself never blocks.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// Size limits, each far above what its kind of file holds in practice.
const (
	MaxSource = 16 << 20  // a C source file or a script
	MaxHeader = 64 << 20  // a header it includes (a vmlinux.h is 3-8 MiB)
	MaxObject = 256 << 20 // a compiled BPF object
)

// Open opens path for reading when it is a regular file (symlinks are
// followed): O_NONBLOCK makes opening a FIFO return at once, so it is
// refused instead of blocking. what names the file in errors ("the
// program", "the object").
func Open(path, what string) (*os.File, os.FileInfo, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", what, textsafe.Escape(path), err)
	}
	f := os.NewFile(uintptr(fd), path)
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s %s is %s, not a regular file", what, textsafe.Escape(path), kind(st.Mode()))
	}
	// Regular files ignore O_NONBLOCK; clear it anyway, for plain reads.
	if err := unix.SetNonblock(fd, false); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// Read returns the contents of the regular file at path, at most limit
// bytes (a longer file is an error that says the limit).
func Read(path, what string, limit int64) ([]byte, error) {
	f, st, err := Open(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, tooBig(path, what, limit)
	}
	// The size may grow while we read: never past limit.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooBig(path, what, limit)
	}
	return b, nil
}

// CheckRegular says why path cannot be read as a file (nil: it can).
func CheckRegular(path, what string) error {
	f, _, err := Open(path, what)
	if err != nil {
		return err
	}
	return f.Close()
}

func tooBig(path, what string, limit int64) error {
	return fmt.Errorf("%s %s is larger than %d MiB, the most ebpf-hello reads of it", what, textsafe.Escape(path), limit>>20)
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// ErrNotRootOnly is wrapped by OnlyRootWrites's errors.
var ErrNotRootOnly = errors.New("writable by users other than root")

// OnlyRootWrites tells whether nobody but root can change what path
// holds: path and every directory above it belong to root and are not
// writable by group or others, both as written and with symlinks
// resolved. A directory above it that others may write is accepted only
// with the sticky bit (as /tmp), where they cannot rename or remove root's
// entries.
func OnlyRootWrites(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	return onlyRoot(abs, false)
}

// OnlyRootCreatesIn tells whether what root makes in dir stays root's: as
// OnlyRootWrites, except that dir itself may be writable by others if it
// is sticky (root may make its own entry in /tmp).
func OnlyRootCreatesIn(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	return onlyRoot(abs, true)
}

func onlyRoot(abs string, stickyOK bool) error {
	if err := onlyRootAlong(abs, stickyOK); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	if real == abs {
		return nil
	}
	return onlyRootAlong(real, stickyOK)
}

// onlyRootAlong checks path and its parents as they are (a symlink itself
// is not checked: only its directory can change it).
func onlyRootAlong(path string, stickyOK bool) error {
	for p, last := path, !stickyOK; ; p, last = filepath.Dir(p), false {
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		s := st.Sys().(*syscall.Stat_t)
		switch {
		case st.Mode()&os.ModeSymlink != 0:
		case s.Uid != 0:
			return fmt.Errorf("%s belongs to uid %d: %w", p, s.Uid, ErrNotRootOnly)
		case s.Mode&0o022 != 0 && (last || s.Mode&unix.S_ISVTX == 0):
			return fmt.Errorf("%s has mode %04o: %w", p, s.Mode&0o7777, ErrNotRootOnly)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}
