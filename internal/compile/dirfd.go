package compile

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// dir is a cache directory opened once. Files are made in it by name,
// relative to its descriptor, with O_NOFOLLOW and O_EXCL under a temporary
// name, then renamed into place: a symlink planted in the cache can never
// redirect a write, and a reader never sees half a file.
type dir struct {
	f    *os.File
	path string // for messages and for clang, which takes paths
}

func openDir(path string) (*dir, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return &dir{f: os.NewFile(uintptr(fd), path), path: path}, nil
}

func (d *dir) fd() int              { return int(d.f.Fd()) }
func (d *dir) Close() error         { return d.f.Close() }
func (d *dir) join(n string) string { return d.path + "/" + n }

// tempName is a fresh name for something being made.
func tempName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%d-%s", prefix, os.Getpid(), hex.EncodeToString(b[:]))
}

// mkdirTemp makes a new directory in d under a temporary name and opens it.
func (d *dir) mkdirTemp(prefix string) (string, *dir, error) {
	name := tempName(prefix)
	if err := unix.Mkdirat(d.fd(), name, 0o755); err != nil {
		return "", nil, &os.PathError{Op: "mkdir", Path: d.join(name), Err: err}
	}
	sub, err := d.sub(name)
	return name, sub, err
}

// mkdir makes the directory name in d (it may exist) and opens it.
func (d *dir) mkdir(name string) (*dir, error) {
	if err := unix.Mkdirat(d.fd(), name, 0o755); err != nil && err != unix.EEXIST {
		return nil, &os.PathError{Op: "mkdir", Path: d.join(name), Err: err}
	}
	return d.sub(name)
}

// sub opens the directory name in d, refusing a symlink.
func (d *dir) sub(name string) (*dir, error) {
	fd, err := unix.Openat(d.fd(), name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: d.join(name), Err: err}
	}
	return &dir{f: os.NewFile(uintptr(fd), d.join(name)), path: d.join(name)}, nil
}

// create makes a new file in d: never an existing one, never through a symlink.
func (d *dir) create(name string) (*os.File, error) {
	fd, err := unix.Openat(d.fd(), name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, &os.PathError{Op: "create", Path: d.join(name), Err: err}
	}
	return os.NewFile(uintptr(fd), d.join(name)), nil
}

// writeFile writes data to name in d whole or not at all.
func (d *dir) writeFile(name string, data []byte) error {
	tmp := tempName(".tmp-" + name + "-")
	f, err := d.create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.rename(tmp, name)
	}
	if err != nil {
		_ = unix.Unlinkat(d.fd(), tmp, 0)
	}
	return err
}

// rename moves old to new within d, atomically.
func (d *dir) rename(old, new string) error {
	if err := unix.Renameat(d.fd(), old, d.fd(), new); err != nil {
		return &os.LinkError{Op: "rename", Old: d.join(old), New: d.join(new), Err: err}
	}
	return nil
}

// remove removes the file name in d, if it is there.
func (d *dir) remove(name string) { _ = unix.Unlinkat(d.fd(), name, 0) }
