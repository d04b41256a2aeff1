package compile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
)

// rootCache is root's cache when the one the environment names could have
// been written by another user (sudo -E keeps HOME and XDG_CACHE_HOME).
// A variable for tests.
var rootCache = "/var/cache/ebpf-hello"

// cacheDir is where the cache lives for this process.
type cacheDir struct {
	path string
	// why is said once when the cache is not the one the environment
	// names ("" when it is).
	why string
	// temporary: made for this process alone, removed by RemoveTemporary.
	temporary bool
}

// chooseCache returns the first usable cache directory, creating it.
func chooseCache() (cacheDir, error) {
	var candidates []string
	if d := os.Getenv("EBPF_HELLO_CACHE"); d != "" {
		candidates = append(candidates, d)
	}
	if d, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(d, "ebpf-hello"))
	}
	if os.Geteuid() == 0 {
		return chooseRootCache(candidates)
	}
	for _, root := range candidates {
		if os.MkdirAll(root, 0o755) == nil && unix.Access(root, unix.W_OK) == nil {
			return cacheDir{path: root}, nil
		}
	}
	// No writable home: our own directory in /tmp, if nobody made it first.
	root := filepath.Join(os.TempDir(), fmt.Sprintf("ebpf-hello-cache-%d", os.Geteuid()))
	_ = os.Mkdir(root, 0o700)
	if st, err := os.Lstat(root); err == nil && st.IsDir() && st.Mode().Perm()&0o077 == 0 &&
		st.Sys().(*syscall.Stat_t).Uid == uint32(os.Geteuid()) {
		return cacheDir{path: root}, nil
	}
	return temporaryCache(fmt.Sprintf("%s is not this user's own directory", root))
}

// chooseRootCache: as root, a cache that another user could have written
// would let them choose what root compiles and loads (swap a cached
// object, edit vmlinux.h). Each candidate is used only if nobody but root
// can write it or any directory above it; else root's own.
func chooseRootCache(candidates []string) (cacheDir, error) {
	var why string
	for _, root := range append(candidates, rootCache) {
		err := makeRootOnly(root)
		if err == nil {
			if why != "" {
				why += ": using " + root
			}
			return cacheDir{path: root, why: why}, nil
		}
		if why == "" {
			why = fmt.Sprintf("not using the compile cache %s as root (%v)", root, err)
		}
	}
	return temporaryCache(why)
}

// makeRootOnly makes root's cache directory path unless it exists, and
// checks that only root can write it.
func makeRootOnly(path string) error {
	// Where it is missing, the nearest existing directory above it must be
	// root's alone before anything is made there.
	existing := path
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		if existing == filepath.Dir(existing) {
			break
		}
		existing = filepath.Dir(existing)
	}
	check := safefile.OnlyRootWrites
	if existing != path {
		check = safefile.OnlyRootCreatesIn // root's new directory in /tmp is root's
	}
	if err := check(existing); err != nil {
		return err
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	return safefile.OnlyRootWrites(path)
}

// temporaryCache is a new directory of this process's own, used when no
// cache can be trusted; RemoveTemporary removes it.
func temporaryCache(why string) (cacheDir, error) {
	dir, err := os.MkdirTemp("", "ebpf-hello-cache-")
	if err != nil {
		return cacheDir{}, errors.Join(errors.New(why), fmt.Errorf("compile cache: %w", err))
	}
	temporaries.Lock()
	temporaries.dirs = append(temporaries.dirs, dir)
	temporaries.Unlock()
	if why != "" {
		why += ": using a temporary cache, removed at exit"
	}
	return cacheDir{path: dir, why: why, temporary: true}, nil
}

var temporaries struct {
	sync.Mutex
	dirs []string
}

// RemoveTemporary removes the caches made for this process alone; call it
// before exiting.
func RemoveTemporary() {
	temporaries.Lock()
	defer temporaries.Unlock()
	for _, d := range temporaries.dirs {
		_ = os.RemoveAll(d)
	}
	temporaries.dirs = nil
}
