package tracepipe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Reader reads trace_pipe line by line.
//
// Reading trace_pipe consumes it: a line read here is gone for every other
// reader. Recent kernels (6.18 here) go further and refuse a second reader
// (EBUSY, reported by Open as ErrBusy naming the holder); older ones let
// both read, and each line then reaches only one of them.
type Reader struct {
	fd      int
	buf     []byte
	pending []byte // read but not yet returned, a window into buf
}

// pollInterval bounds how long Next waits before it looks at its context again.
const pollInterval = 100 // milliseconds

// Open opens a trace_pipe file. It is opened non-blocking and waited on with
// poll(2), so a cancelled context stops a read that has nothing to read:
// a blocking read on trace_pipe cannot be interrupted.
func Open(path string) (*Reader, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EBUSY) {
		return nil, busyError(path)
	}
	if errors.Is(err, os.ErrPermission) {
		return nil, tracefs.AccessError(path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Reader{fd: fd, buf: make([]byte, 64*1024)}, nil
}

// Next returns the next line, without its newline. It returns ctx.Err()
// when ctx ends first.
func (r *Reader) Next(ctx context.Context) (string, error) {
	for {
		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line := string(r.pending[:i])
			r.pending = r.pending[i+1:]
			return line, nil
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if err := r.fill(); err != nil {
			return "", err
		}
	}
}

// fill reads what is available, waiting at most pollInterval for it.
func (r *Reader) fill() error {
	// Keep the partial line, at the start of the buffer.
	n := copy(r.buf, r.pending)
	if n == len(r.buf) { // a line longer than the buffer: grow it
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	read, err := unix.Read(r.fd, r.buf[n:])
	switch {
	case err == nil && read > 0:
		r.pending = r.buf[:n+read]
		return nil
	case err == nil: // end of file: not expected from trace_pipe, wait like EAGAIN
		r.pending = r.buf[:n]
	case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
		r.pending = r.buf[:n]
	default:
		return fmt.Errorf("read trace_pipe: %w", err)
	}
	fds := []unix.PollFd{{Fd: int32(r.fd), Events: unix.POLLIN}}
	if _, err := unix.Poll(fds, pollInterval); err != nil && !errors.Is(err, unix.EINTR) {
		return fmt.Errorf("poll trace_pipe: %w", err)
	}
	return nil
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.fd < 0 {
		return nil
	}
	err := unix.Close(r.fd)
	r.fd = -1
	return err
}
