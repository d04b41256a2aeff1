package valuenames

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		what, got, want string
	}{
		{"errno 2", Errno(2), "ENOENT"},
		{"errno 13", Errno(13), "EACCES"},
		{"errno 0", Errno(0), ""},
		{"errno -2", Errno(-2), ""},
		{"errno 5000", Errno(5000), ""},
		{"signal 9", Signal(9), "SIGKILL"},
		{"signal SIGUSR1", Signal(int64(unix.SIGUSR1)), "SIGUSR1"},
		{"signal 32", Signal(32), "SIGRTMIN"},
		{"signal 36", Signal(36), "SIGRTMIN+4"},
		{"signal 0", Signal(0), ""},
		{"signal 65", Signal(65), ""},
		{"tcp 2", TCPState(2), "TCP_SYN_SENT"},
		{"tcp 10", TCPState(10), "TCP_LISTEN"},
		{"tcp 0", TCPState(0), ""},
		{"tcp 99", TCPState(99), ""},
		{"flags 0", OpenFlags(0), "O_RDONLY"},
		{"flags creat", OpenFlags(unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC"},
		{"flags cloexec", OpenFlags(unix.O_RDONLY | unix.O_CLOEXEC), "O_RDONLY|O_CLOEXEC"},
		{"flags sync", OpenFlags(unix.O_RDWR | unix.O_SYNC), "O_RDWR|O_SYNC"},
		{"flags dsync", OpenFlags(unix.O_RDWR | unix.O_DSYNC), "O_RDWR|O_DSYNC"},
		{"flags tmpfile", OpenFlags(unix.O_RDWR | unix.O_TMPFILE), "O_RDWR|O_TMPFILE"},
		{"flags directory", OpenFlags(unix.O_DIRECTORY), "O_RDONLY|O_DIRECTORY"},
		{"flags unknown", OpenFlags(1 << 31), "O_RDONLY|020000000000"},
		{"flags accmode 3", OpenFlags(3), "O_ACCMODE"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.what, tc.got, tc.want)
		}
	}
}
