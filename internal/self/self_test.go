package self

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOwnsItsThreadsOnly(t *testing.T) {
	s := New()
	if !s.Owns(os.Getpid()) {
		t.Error("not its own pid")
	}
	tid := make(chan int)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		tid <- unix.Gettid()
		<-done
	}()
	defer close(done)
	if id := <-tid; !s.Owns(id) {
		t.Errorf("thread %d is not its own", id)
	}
	if s.Owns(1) || s.Owns(os.Getppid()) || s.Owns(0) || s.Owns(-5) {
		t.Error("owns another process")
	}
	if s.Owns(1) { // remembered as someone else's
		t.Error("owns pid 1 the second time")
	}
}
