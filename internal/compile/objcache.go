package compile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
)

// Compiled objects are cached as well, in the toolchain's entry: running
// the same program again (a workshop's edit-and-run loop, a script run
// twice) starts without clang, so faster and in less memory. The key holds
// the flags and the source; the files the source included from outside the
// entry (the learner's own headers, the system's) are listed with their
// hashes and checked on every hit, so editing a header compiles again.
//
//	<entry>/objects/<key>/object.o   the object
//	<entry>/objects/<key>/deps       "<sha256> <path>" per included file
//	<entry>/objects/<key>/warnings   clang's warnings, shown again on a hit

// maxObjects bounds the cached objects of one entry: past it the least
// recently used go.
const maxObjects = 256

func (tc *toolchain) objectsDir() string { return filepath.Join(tc.dir, "objects") }

// objectKey names the object of text compiled with src's options.
func (tc *toolchain) objectKey(src Source, text []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%q\x00%q\x00%s\x00%s\x00", cacheFormat, src.CPU, src.Defines, src.IncludeDirs, src.Path, src.Name)
	h.Write(text)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// cachedObject returns the object of key when every file it included is
// unchanged.
func (tc *toolchain) cachedObject(key string) (obj []byte, warnings string, ok bool) {
	dir := filepath.Join(tc.objectsDir(), key)
	deps, err := os.ReadFile(filepath.Join(dir, "deps"))
	if err != nil {
		return nil, "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(deps))
	for sc.Scan() {
		sum, path, found := strings.Cut(sc.Text(), " ")
		if !found || fileSum(path) != sum {
			return nil, "", false
		}
	}
	if obj, err = os.ReadFile(filepath.Join(dir, "object.o")); err != nil {
		return nil, "", false
	}
	w, _ := os.ReadFile(filepath.Join(dir, "warnings"))
	now := time.Now()
	_ = os.Chtimes(dir, now, now) // recently used
	return obj, string(w), true
}

// storeObject caches obj under key with the files clang said it read
// (depfile, in make's format). A failure only costs the next run a compile.
func (tc *toolchain) storeObject(key string, obj []byte, warnings string, depfile []byte) {
	var deps strings.Builder
	for _, path := range parseDepfile(depfile) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs // relative to clang's directory, which is ours
		}
		if strings.HasPrefix(path, tc.dir+string(filepath.Separator)) {
			continue // vmlinux.h and libbpf's headers: the entry's key covers them
		}
		sum := fileSum(path)
		if sum == "" {
			return // unreadable now: do not cache what cannot be checked
		}
		fmt.Fprintf(&deps, "%s %s\n", sum, path)
	}
	entry, err := openDir(tc.dir)
	if err != nil {
		return
	}
	defer entry.Close()
	objects, err := entry.mkdir("objects")
	if err != nil {
		return
	}
	defer objects.Close()
	tmpName, tmp, err := objects.mkdirTemp(".tmp-")
	if err != nil {
		return
	}
	defer tmp.Close()
	defer os.RemoveAll(tmp.path) // left only when the rename failed
	for name, b := range map[string][]byte{"object.o": obj, "deps": []byte(deps.String()), "warnings": []byte(warnings)} {
		if tmp.writeFile(name, b) != nil {
			return
		}
	}
	if objects.rename(tmpName, key) == nil {
		pruneObjects(tc.objectsDir())
	}
}

// parseDepfile returns the prerequisites of a make rule written by clang
// -MD: "target: dep dep \<newline> dep", spaces in names escaped.
func parseDepfile(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\\\n", " ")
	_, rest, found := strings.Cut(s, ": ")
	if !found {
		return nil
	}
	var deps []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 && cur.String() != "-" && cur.String() != "<stdin>" {
			deps = append(deps, cur.String())
		}
		cur.Reset()
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '\\' && i+1 < len(rest) && rest[i+1] == ' ':
			cur.WriteByte(' ')
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return deps
}

// fileSum is the hex SHA-256 of a file's contents ("" if unreadable, or
// not a regular file of a header's size: such an include is never cached).
func fileSum(path string) string {
	b, err := safefile.Read(path, "included file", safefile.MaxHeader)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pruneObjects keeps the maxObjects most recently used objects.
func pruneObjects(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= maxObjects {
		return
	}
	type used struct {
		name string
		at   time.Time
	}
	var all []used
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !strings.HasPrefix(e.Name(), ".tmp-") {
			all = append(all, used{e.Name(), info.ModTime()})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	for _, u := range all[min(len(all), maxObjects):] {
		_ = os.RemoveAll(filepath.Join(dir, u.name))
	}
}
