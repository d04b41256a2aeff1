package compile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The cache holds, per kernel build and clang binary, one directory:
//
//	<root>/<key>/include/vmlinux.h, include/bpf/*.h, include/common.h
//	<root>/<key>/common.h.pch   clang's precompiled common.h (or common.h.pch.failed),
//	                            made in the background by the first run
//
// Entries never change once made: the include directory is built in a
// temporary directory and renamed into place, the PCH written to a temporary
// file and renamed, so concurrent runs share it safely. The PCH records the
// paths of the headers it was made from, hence its own step after the rename.
//
// <root> is $EBPF_HELLO_CACHE, else $XDG_CACHE_HOME/ebpf-hello, else
// ~/.cache/ebpf-hello. Under sudo, HOME is usually root's and the cache is
// root's; where sudo keeps the user's HOME, files made there by root are
// handed to the owner of that directory, so the user's own runs can use
// and update them.

// cacheFormat changes when the layout or the way vmlinux.h is made changes.
const cacheFormat = "ebpf-hello-compile-2"

// pruneAge: entries of other kernels or clangs unused this long are removed
// when a new entry is made.
const pruneAge = 30 * 24 * time.Hour

// commonHeaders are what almost every libbpf-style program includes, in
// this order; common.h includes them and is what the PCH is made of.
var commonHeaders = []string{"vmlinux.h", "bpf/bpf_helpers.h", "bpf/bpf_tracing.h", "bpf/bpf_core_read.h", "bpf/bpf_endian.h"}

// toolchain is what Object needs to run clang: ready to use, cached.
type toolchain struct {
	clang string
	arch  string // __TARGET_ARCH_ suffix
	cpu   string // -mcpu
	dir   string // the cache entry
	pch   string // the PCH's path (it may not exist yet)

	multiarch string    // /usr/include/<triple> for UAPI headers, or ""
	owner     fileOwner // who the cache's files are given to
}

func (tc *toolchain) include() string { return filepath.Join(tc.dir, "include") }

// baseFlags are shared by the PCH and every compile (clang rejects a PCH
// made with other target options).
func (tc *toolchain) baseFlags() []string {
	flags := []string{"-target", "bpf", "-O2", "-g",
		"-D__TARGET_ARCH_" + tc.arch, "-mcpu=" + tc.cpu,
		// -isystem: clang's warnings about libbpf's headers or vmlinux.h are
		// not the learner's to fix.
		"-isystem", tc.include(),
		"-fno-color-diagnostics"}
	if tc.multiarch != "" {
		flags = append(flags, "-idirafter", tc.multiarch)
	}
	return flags
}

var prepared struct {
	sync.Mutex
	byRoot map[string]*toolchain
}

// prepare finds clang and makes (or finds) the cache entry for this kernel
// and clang. btfPath "" means the running kernel's BTF.
func prepare(ctx context.Context, btfPath string) (*toolchain, error) {
	clang, err := findClang()
	if err != nil {
		return nil, err
	}
	headers, err := headerFiles()
	if err != nil {
		return nil, err
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return nil, fmt.Errorf("uname: %w", err)
	}
	release := unix.ByteSliceToString(uts.Release[:])
	kernelBuild := unix.ByteSliceToString(uts.Version[:])
	btfFile := btfPath
	if btfFile == "" {
		btfFile = KernelBTF
	}
	st, err := os.Stat(btfFile)
	if err != nil {
		return nil, fmt.Errorf("the kernel's BTF (needed for vmlinux.h): %w (the kernel needs CONFIG_DEBUG_INFO_BTF=y)", err)
	}
	tc := &toolchain{clang: clang, arch: targetArch(), cpu: cpuFor(release), multiarch: multiarchInclude()}

	// The BTF's mtime is left out of the key: sysfs gives it the boot time.
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00%s\x00",
		cacheFormat, tc.arch, tc.cpu, release, kernelBuild, st.Size(), btfFile, clangIdentity(clang), tc.multiarch)
	h.Write(headersDigest(headers))
	key := hex.EncodeToString(h.Sum(nil))[:20]

	root, owner := cacheRoot()
	memo := root + "\x00" + key

	prepared.Lock()
	defer prepared.Unlock()
	if prev, ok := prepared.byRoot[memo]; ok {
		return prev, nil
	}
	tc.dir = filepath.Join(root, key)
	tc.owner = owner
	if err := makeEntry(ctx, tc, headers, btfPath, owner); err != nil {
		return nil, err
	}
	startPCH(tc, owner)
	if prepared.byRoot == nil {
		prepared.byRoot = map[string]*toolchain{}
	}
	prepared.byRoot[memo] = tc
	now := time.Now()
	_ = os.Chtimes(tc.dir, now, now) // in use: not pruned
	return tc, nil
}

// fileOwner is who should own what the cache makes: the owner of the
// directory it lives in, when that is not us (root under sudo in a user's
// home).
type fileOwner struct {
	uid, gid int
	chown    bool
}

func (o fileOwner) give(path string) {
	if !o.chown {
		return
	}
	_ = filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			_ = os.Lchown(p, o.uid, o.gid)
		}
		return nil
	})
}

// cacheRoot returns the first usable cache directory, creating it; when no
// home is writable, a private directory in /tmp.
func cacheRoot() (string, fileOwner) {
	var candidates []string
	if d := os.Getenv("EBPF_HELLO_CACHE"); d != "" {
		candidates = append(candidates, d)
	}
	if d, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(d, "ebpf-hello"))
	}
	for _, root := range candidates {
		owner := ownerOf(root)
		made := firstMissing(root)
		if err := os.MkdirAll(root, 0o755); err != nil {
			continue
		}
		if made != "" {
			owner.give(made) // with ~/.cache if there was none
		}
		if unix.Access(root, unix.W_OK) != nil {
			continue
		}
		return root, owner
	}
	root := filepath.Join(os.TempDir(), fmt.Sprintf("ebpf-hello-cache-%d", os.Geteuid()))
	_ = os.Mkdir(root, 0o700)
	if st, err := os.Lstat(root); err != nil || !st.IsDir() || st.Sys().(*syscall.Stat_t).Uid != uint32(os.Geteuid()) {
		// Someone else's directory: build in a fresh one, used once.
		root, _ = os.MkdirTemp("", "ebpf-hello-cache-")
	}
	return root, fileOwner{}
}

// firstMissing returns the outermost directory of path that does not exist
// yet ("" if path exists).
func firstMissing(path string) string {
	missing := ""
	for p := path; ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil {
			return missing
		}
		missing = p
		if p == filepath.Dir(p) {
			return missing
		}
	}
}

// ownerOf: the owner of the nearest existing ancestor of path, when root
// makes files in somebody else's directory.
func ownerOf(path string) fileOwner {
	if os.Geteuid() != 0 {
		return fileOwner{}
	}
	for p := filepath.Dir(path); ; p = filepath.Dir(p) {
		if st, err := os.Stat(p); err == nil {
			s := st.Sys().(*syscall.Stat_t)
			return fileOwner{uid: int(s.Uid), gid: int(s.Gid), chown: s.Uid != 0}
		}
		if p == filepath.Dir(p) {
			return fileOwner{}
		}
	}
}

// makeEntry makes the include directory of the entry unless it exists.
func makeEntry(ctx context.Context, tc *toolchain, headers map[string][]byte, btfPath string, owner fileOwner) error {
	if _, err := os.Stat(filepath.Join(tc.include(), "common.h")); err == nil {
		return nil
	}
	root := filepath.Dir(tc.dir)
	tmp, err := os.MkdirTemp(root, ".tmp-")
	if err != nil {
		return fmt.Errorf("compile cache: %w", err)
	}
	defer os.RemoveAll(tmp) // after a successful rename there is nothing left

	// Check clang once per entry: too old a clang fails here with one line
	// rather than with odd errors about preserve_access_index.
	version, major, err := clangVersion(ctx, tc.clang)
	if err != nil {
		return err
	}
	if major < minClangMajor {
		return fmt.Errorf("%s is clang %s: compiling CO-RE BPF C needs clang %d or newer", tc.clang, version, minClangMajor)
	}

	inc := filepath.Join(tmp, "include")
	if err := os.MkdirAll(filepath.Join(inc, "bpf"), 0o755); err != nil {
		return fmt.Errorf("compile cache: %w", err)
	}
	for name, b := range headers {
		if err := os.WriteFile(filepath.Join(inc, "bpf", name), b, 0o644); err != nil {
			return fmt.Errorf("compile cache: %w", err)
		}
	}
	var common strings.Builder
	common.WriteString("/* The headers most programs include, precompiled once per kernel and clang. */\n")
	for _, h := range commonHeaders {
		fmt.Fprintf(&common, "#include <%s>\n", h)
	}
	if err := os.WriteFile(filepath.Join(inc, "common.h"), []byte(common.String()), 0o644); err != nil {
		return fmt.Errorf("compile cache: %w", err)
	}
	if err := WriteVmlinuxH(btfPath, filepath.Join(inc, "vmlinux.h")); err != nil {
		return err
	}
	_ = os.WriteFile(filepath.Join(tmp, "clang-version"), []byte(tc.clang+" "+version+"\n"), 0o644)
	owner.give(tmp)

	if err := os.Rename(tmp, tc.dir); err != nil {
		// Another run made it first: use theirs.
		if _, statErr := os.Stat(filepath.Join(tc.include(), "common.h")); statErr == nil {
			return nil
		}
		return fmt.Errorf("compile cache: %w", err)
	}
	prune(root, filepath.Base(tc.dir))
	return nil
}

// The PCH takes clang about a second to make, three times a plain compile:
// the first run does not wait for it. A detached shell runs clang and
// renames the result into place, so the PCH is ready for the next compile
// even when this process exits (or is interrupted) first.
const pchScript = `read -r _ # until startNiced has lowered our priority
"$@" -o "$T" 2>"$T.err"
s=$?
if [ $s -eq 0 ]; then
	[ -z "$OWNER" ] || chown "$OWNER" "$T"
	mv -f "$T" "$P"
elif [ $s -lt 128 ]; then
	[ -z "$OWNER" ] || chown "$OWNER" "$T.err"
	mv -f "$T.err" "$P.failed"
fi
rm -f "$T" "$T.err"
`

// pchBuilds are the background PCH builds this process started; tests and
// benchmarks wait for them.
var pchBuilds sync.WaitGroup

func (tc *toolchain) pchPath() string { return filepath.Join(tc.dir, "common.h.pch") }

// pchReady: the PCH exists (made by this run or an earlier one).
func (tc *toolchain) pchReady() bool {
	_, err := os.Stat(tc.pch)
	return tc.pch != "" && err == nil
}

// startPCH starts making the entry's PCH in the background, unless it
// exists, clang failed to make it before (common.h.pch.failed holds why),
// or another run is making it.
func startPCH(tc *toolchain, owner fileOwner) {
	pch := tc.pchPath()
	tc.pch = pch
	if _, err := os.Stat(pch); err == nil {
		return
	}
	// A failure is remembered for a day (not forever: a full disk passes).
	if st, err := os.Stat(pch + ".failed"); err == nil {
		if time.Since(st.ModTime()) < 24*time.Hour {
			return
		}
		_ = os.Remove(pch + ".failed")
	}
	tmps, _ := filepath.Glob(pch + ".tmp-*")
	for _, t := range tmps {
		if st, err := os.Stat(t); err == nil && time.Since(st.ModTime()) < time.Minute {
			return // being made
		}
		_ = os.Remove(t) // left by a run killed mid-way
	}
	args := append([]string{"-c", pchScript, "sh", tc.clang}, tc.baseFlags()...)
	args = append(args, "-x", "c-header", filepath.Join(tc.include(), "common.h"))
	cmd := exec.Command("/bin/sh", args...)
	cmd.Env = append(os.Environ(), "T="+fmt.Sprintf("%s.tmp-%d", pch, os.Getpid()), "P="+pch, "OWNER=")
	if owner.chown {
		cmd.Env = append(cmd.Env, fmt.Sprintf("OWNER=%d:%d", owner.uid, owner.gid))
	}
	// Its own process group: Ctrl-C on the terminal stops run, not this.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startNiced(cmd); err != nil {
		return
	}
	pchBuilds.Add(1)
	go func() {
		defer pchBuilds.Done()
		_ = cmd.Wait() // reaps it; its result is the file it renames
	}()
}

// startNiced starts cmd at the lowest CPU priority (nice 19): the PCH only
// helps later runs, so it must not slow this one, which is compiling and
// loading meanwhile (on 2 slow CPUs, as in a VM, it did). The script waits
// for its stdin to close before it starts clang, which inherits the nice
// value set in between.
func startNiced(cmd *exec.Cmd) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer w.Close()
	cmd.Stdin = r
	err = cmd.Start()
	r.Close()
	if err == nil {
		_ = unix.Setpriority(unix.PRIO_PROCESS, cmd.Process.Pid, 19)
	}
	return err
}

// prune removes entries (and abandoned temporary directories) not used for
// pruneAge, so kernel upgrades do not fill the disk.
func prune(root, keep string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		age := time.Since(info.ModTime())
		if age > pruneAge || (strings.HasPrefix(e.Name(), ".tmp-") && age > time.Hour) {
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

// forgetPCH drops a PCH clang rejected, so a later run makes it again.
func forgetPCH(tc *toolchain) {
	_ = os.Remove(tc.pch)
}
