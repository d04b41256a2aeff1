package compile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// As root, under a sudo that keeps the user's HOME (or with
// EBPF_HELLO_CACHE pointing there), the user's directory is never used:
// what they write there (a cached object, vmlinux.h, the PCH) would be
// compiled into or loaded as root's programs. Root's own cache is used
// instead, said once, and nothing is made or chowned in the user's home.
func TestRootNeverUsesACacheAUserCanWrite(t *testing.T) {
	needClang(t)
	testenv.RequireRoot(t)
	const nobody = 65534
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, home string) string // returns the cache root named
	}{
		{"in a user's home", func(t *testing.T, home string) string {
			chown(t, home, nobody)
			return filepath.Join(home, ".cache", "ebpf-hello")
		}},
		{"made by the user already", func(t *testing.T, home string) string {
			root := filepath.Join(home, "cache")
			mkdir(t, root)
			chown(t, root, nobody)
			return root
		}},
		{"root's but world-writable", func(t *testing.T, home string) string {
			root := filepath.Join(home, "cache")
			mkdir(t, root)
			if err := os.Chmod(root, 0o777); err != nil {
				t.Fatal(err)
			}
			return root
		}},
		{"under a group-writable directory", func(t *testing.T, home string) string {
			if err := os.Chmod(home, 0o775); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(home, "cache")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			named := c.setup(t, home)
			own := filepath.Join(t.TempDir(), "root-cache")
			useRootCache(t, own)
			asSudoE(t, named)

			var notes strings.Builder
			if _, err := Object(context.Background(), Source{Path: "a.bpf.c", Text: []byte(helloTracepoint), Warnings: &notes}); err != nil {
				t.Fatal(err)
			}
			pchBuilds.Wait()
			if entries, _ := filepath.Glob(filepath.Join(named, "*")); len(entries) != 0 {
				t.Errorf("root made %v in the user's cache", entries)
			}
			if entries, _ := filepath.Glob(filepath.Join(own, "*", "include", "vmlinux.h")); len(entries) != 1 {
				t.Errorf("root's own cache %s holds no entry (%v)", own, entries)
			}
			if !strings.Contains(notes.String(), "not using the compile cache "+named) || !strings.Contains(notes.String(), "using "+own) {
				t.Errorf("notes %q do not say which cache was refused and which is used", notes.String())
			}
			// Said once per process.
			notes.Reset()
			if _, err := Object(context.Background(), Source{Path: "b.bpf.c", Text: []byte(helloTracepoint), Warnings: &notes}); err != nil {
				t.Fatal(err)
			}
			if notes.Len() != 0 {
				t.Errorf("said again: %q", notes.String())
			}
			filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
				if err == nil {
					if info, _ := d.Info(); info != nil && info.Sys().(*syscall.Stat_t).Uid == 0 && p != home && !strings.HasPrefix(p, named) {
						t.Errorf("root made %s in the user's home", p)
					}
				}
				return nil
			})
		})
	}
}

// With no cache root can trust at all, a temporary one is made for the
// process and removed at exit: never one that another user made in /tmp.
func TestRootWithNoTrustedCacheUsesATemporaryOne(t *testing.T) {
	needClang(t)
	testenv.RequireRoot(t)
	home := t.TempDir()
	chown(t, home, 65534)
	asSudoE(t, filepath.Join(home, "cache"))
	useRootCache(t, filepath.Join(home, "root-cache")) // in the user's home: refused too
	if _, err := Object(context.Background(), Source{Path: "a.bpf.c", Text: []byte(helloTracepoint)}); err != nil {
		t.Fatal(err)
	}
	temporaries.Lock()
	dirs := append([]string(nil), temporaries.dirs...)
	temporaries.Unlock()
	if len(dirs) != 1 {
		t.Fatalf("temporary caches %v, want one", dirs)
	}
	RemoveTemporary()
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Errorf("%s still there after RemoveTemporary (%v)", dirs[0], err)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("root made %v in the user's home", entries)
	}
}

// As root, a clang that another user could replace is never run.
func TestRootRefusesAClangAUserCanWrite(t *testing.T) {
	needClang(t)
	testenv.RequireRoot(t)
	real, _ := findClang()
	dir := t.TempDir()
	chown(t, dir, 65534)
	fake := filepath.Join(dir, "clang")
	if err := os.Symlink(real, fake); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLANG", fake)
	useRootCache(t, filepath.Join(t.TempDir(), "c"))
	_, err := Object(context.Background(), Source{Path: "a.bpf.c", Text: []byte(helloTracepoint)})
	if err == nil || !strings.Contains(err.Error(), "not running "+fake+" as root") {
		t.Errorf("err %v, want a refusal naming %s", err, fake)
	}
}

// Cache writes never follow a symlink planted where a file is made.
func TestCacheWritesFollowNoSymlink(t *testing.T) {
	root := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(root, "common.h")); err != nil {
		t.Fatal(err)
	}
	d, err := openDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.writeFile("common.h", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.create("common.h"); err == nil {
		t.Error("create made a file over an existing name")
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the symlink's target was written: %q", b)
	}
	if st, err := os.Lstat(filepath.Join(root, "common.h")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("common.h is not a regular file now (%v)", err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(root, "objects")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.mkdir("objects"); err == nil {
		t.Error("mkdir went through a symlink")
	}
	if _, err := openDir(filepath.Join(root, "objects")); err == nil {
		t.Error("openDir opened a symlink")
	}
}

// An included file that is not a regular file (a device, a FIFO) is never
// read to check the cache: such a compile is simply not cached.
func TestFileSumReadsOnlyRegularFiles(t *testing.T) {
	if fileSum("/dev/zero") != "" {
		t.Error("fileSum read /dev/zero")
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if fileSum(fifo) != "" { // returns at once: no writer is needed to refuse it
		t.Error("fileSum read a FIFO")
	}
}

// asSudoE: the environment of root under sudo -E, with a user's HOME and
// named cache.
func asSudoE(t *testing.T, cache string) {
	t.Helper()
	home := t.TempDir()
	chown(t, home, 65534)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("EBPF_HELLO_CACHE", cache)
}

// useRootCache points root's own cache at dir for one test, and makes the
// next compile choose its cache again, as a new process would.
func useRootCache(t *testing.T, dir string) {
	t.Helper()
	old := rootCache
	rootCache = dir
	forgetPrepared()
	t.Cleanup(func() {
		pchBuilds.Wait()
		rootCache = old
		forgetPrepared()
		RemoveTemporary()
	})
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

// Root's own new directory in a sticky world-writable one (as /tmp) is
// root's: nobody else can rename or replace it, so it is used as named.
func TestRootMakesItsCacheInASticky(t *testing.T) {
	needClang(t)
	testenv.RequireRoot(t)
	sticky := t.TempDir()
	if err := os.Chmod(sticky, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(sticky, "cache")
	useRootCache(t, filepath.Join(t.TempDir(), "root-cache"))
	asSudoE(t, named)
	var notes strings.Builder
	if _, err := Object(context.Background(), Source{Path: "a.bpf.c", Text: []byte(helloTracepoint), Warnings: &notes}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := filepath.Glob(filepath.Join(named, "*", "include", "vmlinux.h")); len(entries) != 1 || notes.Len() != 0 {
		t.Errorf("cache %s not used (entries %v, notes %q)", named, entries, notes.String())
	}
}
