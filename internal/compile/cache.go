package compile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
)

// The cache holds, per kernel build and clang binary, one directory:
//
//	<root>/<key>/include/vmlinux.h, include/bpf/*.h, include/common.h
//	<root>/<key>/common.h.pch   clang's precompiled common.h (or common.h.pch.failed),
//	                            made in the background by the first run
//
// Entries never change once made: the include directory is built in a
// temporary directory and renamed into place, the PCH written by clang
// under a temporary name and renamed, so concurrent runs share it safely.
// Every file is made through a directory descriptor (dirfd.go). The PCH
// records the paths of the headers it was made from, hence its own step
// after the rename.
//
// <root> is $EBPF_HELLO_CACHE, else $XDG_CACHE_HOME/ebpf-hello, else
// ~/.cache/ebpf-hello (cacheroot.go). As root, a cache is used only if no
// other user could have written it: what is in it is compiled into, or
// loaded as, root's programs.

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

	multiarch string // /usr/include/<triple> for UAPI headers, or ""
	cross     bool   // for another architecture than this machine's
	temporary bool   // the cache is this process's alone (no PCH: nobody would use it)
	made      bool   // this process made the entry (vmlinux.h): a cold start

	note  string      // why the cache is not the one the environment names, said once
	noted atomic.Bool // note said
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
// goarch "" means this machine's.
// The precompiled header is made in the background at nice 19 (a cold run
// goes on without it), or at the caller's priority when waitPCH: someone
// waits for it (ebpf-hello prepare), and on a busy machine a niced clang
// would hardly run.
func prepare(ctx context.Context, btfPath, goarch string, waitPCH bool) (*toolchain, error) {
	clang, err := findClang()
	if err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		// As root, never run a clang that another user could have put there
		// ($CLANG or PATH kept by sudo -E).
		if err := safefile.OnlyRootWrites(clang); err != nil {
			return nil, fmt.Errorf("not running %s as root: %w", clang, err)
		}
		// Run what was checked, not a symlink that may change meanwhile.
		if real, err := filepath.EvalSymlinks(clang); err == nil {
			clang = real
		}
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
	if goarch != "" && goarch != runtime.GOARCH {
		tc.arch, tc.multiarch, tc.cross = targetArchOf(goarch), multiarchIncludeOf(goarch), true
	}

	// The BTF's mtime is left out of the key: sysfs gives it the boot time.
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00%s\x00",
		cacheFormat, tc.arch, tc.cpu, release, kernelBuild, st.Size(), btfFile, clangIdentity(clang), tc.multiarch)
	h.Write(headersDigest(headers))
	key := hex.EncodeToString(h.Sum(nil))[:20]

	cache, err := chooseCache()
	if err != nil {
		return nil, err
	}
	memo := cache.path + "\x00" + key

	prepared.Lock()
	defer prepared.Unlock()
	if prev, ok := prepared.byRoot[memo]; ok {
		return prev, nil
	}
	tc.dir = filepath.Join(cache.path, key)
	tc.temporary = cache.temporary
	tc.note = cache.why
	if tc.made, err = makeEntry(ctx, tc, headers, btfPath); err != nil {
		return nil, err
	}
	if !tc.temporary {
		startPCH(tc, !waitPCH, false)
	}
	if prepared.byRoot == nil {
		prepared.byRoot = map[string]*toolchain{}
	}
	prepared.byRoot[memo] = tc
	now := time.Now()
	_ = os.Chtimes(tc.dir, now, now) // in use: not pruned
	return tc, nil
}

// makeEntry makes the include directory of the entry unless it exists;
// made says this run made it.
func makeEntry(ctx context.Context, tc *toolchain, headers map[string][]byte, btfPath string) (made bool, err error) {
	if _, err := os.Stat(filepath.Join(tc.include(), "common.h")); err == nil {
		return false, nil
	}
	root, err := openDir(filepath.Dir(tc.dir))
	if err != nil {
		return false, fmt.Errorf("compile cache: %w", err)
	}
	defer root.Close()
	tmpName, tmp, err := root.mkdirTemp(".tmp-")
	if err != nil {
		return false, fmt.Errorf("compile cache: %w", err)
	}
	defer tmp.Close()
	defer os.RemoveAll(tmp.path) // after a successful rename there is nothing left

	// Check clang once per entry: too old a clang fails here with one line
	// rather than with odd errors about preserve_access_index.
	version, major, err := clangVersion(ctx, tc.clang)
	if err != nil {
		return false, err
	}
	if major < minClangMajor {
		return false, fmt.Errorf("%s is clang %s: compiling CO-RE BPF C needs clang %d or newer", tc.clang, version, minClangMajor)
	}

	if err := writeIncludes(tmp, headers, btfPath, tc.arch); err != nil {
		return false, fmt.Errorf("compile cache: %w", err)
	}
	_ = tmp.writeFile("clang-version", []byte(tc.clang+" "+version+"\n"))

	if err := root.rename(tmpName, filepath.Base(tc.dir)); err != nil {
		// Another run made it first: use theirs.
		if _, statErr := os.Stat(filepath.Join(tc.include(), "common.h")); statErr == nil {
			return false, nil
		}
		return false, fmt.Errorf("compile cache: %w", err)
	}
	prune(root.path, filepath.Base(tc.dir))
	return true, nil
}

// writeIncludes fills entry/include: libbpf's headers, common.h and
// vmlinux.h (common.h last: its presence says the entry is complete).
// arch is the __TARGET_ARCH_ of the objects compiled with them.
func writeIncludes(entry *dir, headers map[string][]byte, btfPath, arch string) error {
	inc, err := entry.mkdir("include")
	if err != nil {
		return err
	}
	defer inc.Close()
	bpf, err := inc.mkdir("bpf")
	if err != nil {
		return err
	}
	defer bpf.Close()
	for name, b := range headers {
		if err := bpf.writeFile(name, b); err != nil {
			return err
		}
	}
	f, err := inc.create("vmlinux.h")
	if err != nil {
		return err
	}
	err = WriteVmlinuxH(btfPath, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var common strings.Builder
	common.WriteString("/* The headers most programs include, precompiled once per kernel and clang. */\n")
	for _, h := range commonHeaders {
		fmt.Fprintf(&common, "#include <%s>\n", h)
	}
	if arch == "arm64" && !vmlinuxHas(filepath.Join(inc.path, "vmlinux.h"), "struct user_pt_regs {") {
		// An arm64 object compiled against another architecture's BTF:
		// the registers its kprobes read (bpf/arch/arm64.h).
		fmt.Fprintf(&common, "#include <bpf/%s>\n", arm64Regs)
	}
	return inc.writeFile("common.h", []byte(common.String()))
}

// vmlinuxHas: the vmlinux.h at path has the line start.
func vmlinuxHas(path, start string) bool {
	b, err := os.ReadFile(path)
	return err == nil && (bytes.HasPrefix(b, []byte(start)) || bytes.Contains(b, []byte("\n"+start)))
}

// The PCH takes clang about a second to make, three times a plain compile:
// the first run does not wait for it. clang runs on its own (its own
// process group, so Ctrl-C on the terminal stops run, not it) and writes
// the PCH under a temporary name that it renames into place when done, so
// the PCH is ready for the next compile even when this process exits
// first. No shell: clang gets its arguments as they are.

// pchBuilds are the background PCH builds this process started; tests and
// benchmarks wait for them.
var pchBuilds sync.WaitGroup

func (tc *toolchain) pchPath() string { return filepath.Join(tc.dir, "common.h.pch") }

// pchReady: the PCH exists (made by this run or an earlier one).
func (tc *toolchain) pchReady() bool {
	_, err := os.Stat(tc.pch)
	return tc.pch != "" && err == nil
}

// pchFailed holds clang's messages when it could not make the PCH; pchLog
// names its messages while it runs.
const (
	pchFailed = "common.h.pch.failed"
	pchLog    = ".pch-log-"
)

// startPCH starts making the entry's PCH in the background, unless it
// exists, clang failed to make it before (pchFailed holds why), or another
// run is making it.
// niced: at nice 19 (a background build); force: even while another
// process makes it (its niced clang may hardly run on a busy machine;
// clang writes to a temporary name and renames it, so two builds are safe).
func startPCH(tc *toolchain, niced, force bool) {
	pch := tc.pchPath()
	tc.pch = pch
	if _, err := os.Stat(pch); err == nil {
		return
	}
	// A failure is remembered for a day (not forever: a full disk passes).
	failed := filepath.Join(tc.dir, pchFailed)
	if st, err := os.Stat(failed); err == nil {
		if time.Since(st.ModTime()) < 24*time.Hour {
			return
		}
		_ = os.Remove(failed)
	}
	// clang's temporary file says another run is making it; one older than
	// a minute, or a log, was left by a run (or clang) killed mid-way.
	leftovers, _ := filepath.Glob(filepath.Join(tc.dir, "common.h-*.pch.tmp"))
	logs, _ := filepath.Glob(filepath.Join(tc.dir, pchLog+"*"))
	for _, t := range append(leftovers, logs...) {
		if st, err := os.Stat(t); err == nil && time.Since(st.ModTime()) < time.Minute {
			if force {
				continue
			}
			return // being made
		}
		_ = os.Remove(t)
	}
	entry, err := openDir(tc.dir)
	if err != nil {
		return
	}
	logName := tempName(pchLog)
	log, err := entry.create(logName)
	if err != nil {
		entry.Close()
		return
	}
	args := append(tc.baseFlags(), "-x", "c-header", filepath.Join(tc.include(), "common.h"), "-o", pch)
	cmd := exec.Command(tc.clang, args...)
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if niced {
		err = startNiced(cmd)
	} else {
		err = cmd.Start()
	}
	log.Close()
	if err != nil {
		entry.remove(logName)
		entry.Close()
		return
	}
	pchBuilds.Add(1)
	go func() {
		defer pchBuilds.Done()
		defer entry.Close()
		err := cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() > 0 {
			_ = entry.rename(logName, pchFailed) // clang said why
			return
		}
		entry.remove(logName) // made, or clang was killed
	}()
}

// startNiced starts cmd at the lowest CPU priority (nice 19): the PCH only
// helps later runs, so it must not slow this one, which is compiling and
// loading meanwhile (on 2 slow CPUs, as in a VM, it did).
func startNiced(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	_ = unix.Setpriority(unix.PRIO_PROCESS, cmd.Process.Pid, 19)
	return nil
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

// Prepared says what Prepare found or made.
type Prepared struct {
	Dir       string // the cache entry for this kernel and clang
	Made      bool   // this call made it (vmlinux.h from the kernel's BTF)
	PCH       bool   // the precompiled header is there
	PCHError  string // why clang could not make it (then compiles parse vmlinux.h)
	Temporary bool   // no cache to keep it in (said in Note): nothing prepared for later
	Note      string // why the cache is not the one the environment names
}

// pchWait bounds how long Prepare waits for a precompiled header that
// another process is making.
const pchWait = 2 * time.Minute

// Prepare makes the compile cache entry for the running kernel and clang,
// and its precompiled header, and waits for both: what a first `run`
// after setting up, a kernel update or a clang upgrade would otherwise do
// while the learner waits (ebpf-hello prepare, issue 24).
func Prepare(ctx context.Context) (Prepared, error) {
	tc, err := prepare(ctx, "", "", true)
	if err != nil {
		return Prepared{}, err
	}
	p := Prepared{Dir: tc.dir, Made: tc.made, Temporary: tc.temporary, Note: tc.note}
	if tc.temporary {
		return p, nil
	}
	pchBuilds.Wait()
	if !tc.pchReady() { // another process is making it (niced), or made it fail
		startPCH(tc, false, true)
		pchBuilds.Wait()
	}
	for deadline := time.Now().Add(pchWait); !tc.pchReady() && time.Now().Before(deadline); {
		if msg, err := os.ReadFile(filepath.Join(tc.dir, pchFailed)); err == nil {
			p.PCHError = strings.TrimSpace(string(msg))
			break
		}
		tmp, _ := filepath.Glob(filepath.Join(tc.dir, "common.h-*.pch.tmp"))
		logs, _ := filepath.Glob(filepath.Join(tc.dir, pchLog+"*"))
		if len(tmp)+len(logs) == 0 {
			break // nobody is making it
		}
		select {
		case <-ctx.Done():
			return p, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	p.PCH = tc.pchReady()
	return p, nil
}
