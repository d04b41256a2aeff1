package probe

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	bpf "github.com/aquasecurity/libbpfgo"
)

// iterLink is an attached BPF iterator (SEC("iter/task"), say).
type iterLink struct {
	program string
	link    *bpf.BPFLink
}

// MaxIterOutput bounds what ReadIters copies of one iterator: a program
// that writes forever must not take all memory or time.
const MaxIterOutput = 64 << 20

// ErrIterTooLong is an iterator that wrote more than MaxIterOutput.
var ErrIterTooLong = errors.New("wrote more than 64 MiB")

// HasIters: some hook attached is an iterator.
func (l *Loaded) HasIters() bool { return len(l.iters) > 0 }

// ReadIters runs every attached iterator once, in the order attached, and
// copies what each wrote (bpf_seq_printf and friends) to w. The kernel
// walks its objects (tasks, maps...) as the reads ask for more.
func (l *Loaded) ReadIters(w io.Writer) error {
	for _, it := range l.iters {
		if err := readIter(it, w); err != nil {
			return fmt.Errorf("iterator %s: %w", it.program, err)
		}
	}
	return nil
}

func readIter(it iterLink, w io.Writer) error {
	r, err := it.link.Reader() // bpf_iter_create: one walk
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, 64<<10)
	var total int
	for {
		n, err := r.Read(buf)
		switch {
		case errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN):
			continue
		case err != nil:
			return err
		case n == 0: // the walk is over (the reader says so with 0 bytes, not io.EOF)
			return nil
		}
		if total += n; total > MaxIterOutput {
			return ErrIterTooLong
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
	}
}
