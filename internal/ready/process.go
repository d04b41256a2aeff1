package ready

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"
)

// Process is a command started by Start, for the code that starts a
// command, waits until it is ready, then reads what it prints: doctor's
// self-test and the end-to-end tests. Its stdout lines arrive on Lines
// (closed at the end of stdout), its stderr is kept (Stderr), and Done is
// closed once it has exited (Err then says how).
type Process struct {
	Cmd   *exec.Cmd
	Lines <-chan string
	Done  <-chan struct{}
	Err   error // what Cmd.Wait returned; read it after Done

	mu     sync.Mutex
	stderr bytes.Buffer
}

// lineBacklog is how many stdout lines may wait for the reader before the
// command blocks writing.
const lineBacklog = 1 << 16

// Start starts cmd, whose Stdout and Stderr must be unset.
func Start(cmd *exec.Cmd) (*Process, error) {
	p := &Process{Cmd: cmd}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.stderr.Write(b)
	})
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, lineBacklog)
	done := make(chan struct{})
	p.Lines, p.Done = lines, done
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		// Wait only once stdout is read to its end, as exec.Cmd requires.
		p.Err = cmd.Wait()
		close(done)
	}()
	return p, nil
}

// Stderr is what the command printed on stderr so far.
func (p *Process) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// WaitReady waits until the command printed Line on stderr.
func (p *Process) WaitReady(timeout time.Duration) error { return p.WaitFor(In, timeout) }

// ErrExited is returned by WaitFor when the command ended before it was ready.
var ErrExited = errors.New("exited before it was ready")

// WaitFor waits until ready(stderr so far) is true, the command exits
// (ErrExited) or timeout passes.
func (p *Process) WaitFor(ready func(stderr string) bool, timeout time.Duration) error {
	deadline := time.After(timeout)
	for !ready(p.Stderr()) {
		select {
		case <-p.Done:
			if ready(p.Stderr()) {
				return nil
			}
			return ErrExited
		case <-deadline:
			return fmt.Errorf("not ready within %s", timeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
