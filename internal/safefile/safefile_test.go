package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Whatever a path names, Read returns at once: the contents of a regular
// file within the limit, or one line saying why not.
func TestReadOnlyRegularFilesWithinTheLimit(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "prog.bpf.c")
	if err := os.WriteFile(regular, []byte("int x;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	toZero := filepath.Join(dir, "zero.bpf.c")
	if err := os.Symlink("/dev/zero", toZero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.c")
	if err := os.WriteFile(big, make([]byte, 2<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path  string
		limit int64
		want  string // "" : read
	}{
		{regular, MaxSource, ""},
		{fifo, MaxSource, "is a FIFO, not a regular file"},
		{toZero, MaxSource, "is a character device, not a regular file"},
		{"/dev/zero", MaxSource, "is a character device"},
		{dir, MaxSource, "is a directory"},
		{big, 2 << 20, "larger than 2 MiB"},
		{filepath.Join(dir, "missing"), MaxSource, "no such file"},
	} {
		b, err := Read(c.path, "the program", c.limit)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.path, err)
		case c.want == "" && string(b) != "int x;\n":
			t.Errorf("%s: read %q", c.path, b)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err %v, want %q", c.path, err, c.want)
		case c.want != "" && strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: error of more than one line: %q", c.path, err)
		}
	}
}

func TestOnlyRootWrites(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make files of other users")
	}
	mk := func(mode os.FileMode, uid int) string {
		d := t.TempDir()
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, uid, uid); err != nil {
			t.Fatal(err)
		}
		return d
	}
	userDir := mk(0o755, 65534)
	link := filepath.Join(userDir, "clang")
	if err := os.Symlink("/usr/bin/env", link); err != nil {
		t.Fatal(err)
	}
	openDir := mk(0o777, 0)
	under := filepath.Join(openDir, "x")
	if err := os.Mkdir(under, 0o755); err != nil {
		t.Fatal(err)
	}
	stickyDir := mk(os.ModeSticky|0o777, 0)
	inSticky := filepath.Join(stickyDir, "x")
	if err := os.Mkdir(inSticky, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{"/usr/bin/env", true},
		{mk(0o755, 0), true},
		{inSticky, true},      // /tmp's way: others cannot replace root's entry
		{mk(0o775, 0), false}, // group-writable
		{mk(0o755, 65534), false},
		{link, false},      // a root file, but reached through a user's directory
		{under, false},     // a root directory in a world-writable one
		{stickyDir, false}, // world-writable itself
	} {
		err := OnlyRootWrites(c.path)
		if c.path == stickyDir {
			if err := OnlyRootCreatesIn(stickyDir); err != nil {
				t.Errorf("root may make its own entry in a sticky directory: %v", err)
			}
			if err := OnlyRootCreatesIn(openDir); err == nil {
				t.Errorf("%s: others may replace what root makes there", openDir)
			}
		}
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.path, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrNotRootOnly) {
			t.Errorf("%s: %v does not wrap ErrNotRootOnly", c.path, err)
		}
	}
}
