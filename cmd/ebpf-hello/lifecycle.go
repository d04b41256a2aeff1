package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stuckWriteGrace is how long a write may stay blocked after Ctrl-C (stdout
// into a pipe nobody reads) before the process exits without finishing it.
// Exiting closes every BPF link and program fd: nothing stays attached.
const stuckWriteGrace = 500 * time.Millisecond

// stdoutCheckInterval is how often stdout is checked for a vanished reader.
const stdoutCheckInterval = 200 * time.Millisecond

// trackedWriter records whether a Write is in progress, so the signal
// handler can tell a blocked writer from a command that is shutting down.
type trackedWriter struct {
	w       io.Writer
	writing atomic.Bool
}

func (t *trackedWriter) Write(p []byte) (int, error) {
	t.writing.Store(true)
	defer t.writing.Store(false)
	return t.w.Write(p)
}

// handleSignals cancels the run on the first SIGINT or SIGTERM. A second
// signal ends the process at once, and so does a write that is still
// blocked stuckWriteGrace after the first.
func handleSignals(cancel context.CancelFunc, out *trackedWriter) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel()
		first := time.Now()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case sig = <-sigs:
				exitNow("second signal: exiting at once", sig)
			case <-tick.C:
				if out.writing.Load() && time.Since(first) >= stuckWriteGrace {
					exitNow("stdout is blocked: exiting without writing the rest", sig)
				}
			}
		}
	}()
}

// exitNow ends the process; the kernel detaches every program as our file
// descriptors close. stderr may be blocked too: the message gets a moment, not more.
func exitNow(why string, sig os.Signal) {
	said := make(chan struct{})
	go func() { fmt.Fprintln(os.Stderr, "ebpf-hello: "+why); close(said) }()
	select {
	case <-said:
	case <-time.After(100 * time.Millisecond):
	}
	code := 130 // 128 + SIGINT, as shells report
	if sig == syscall.SIGTERM {
		code = 143
	}
	os.Exit(code)
}

// watchStdout cancels the run when stdout is a pipe or socket whose reader
// is gone (`ebpf-hello open --comm x | head -1` after head exits): a
// command that has nothing to print would otherwise never notice.
func watchStdout(ctx context.Context, cancel context.CancelFunc) {
	go func() {
		tick := time.NewTicker(stdoutCheckInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if readerGone(int(os.Stdout.Fd())) {
					cancel()
					return
				}
			}
		}
	}()
}

// readerGone polls fd for nothing: the kernel still reports POLLERR on a
// pipe whose read end is closed, and POLLHUP on a hung-up socket or terminal.
func readerGone(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd)}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n == 1 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}
