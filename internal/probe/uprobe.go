package probe

/*
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

// eh_ifunc_target asks the dynamic linker what an IFUNC symbol resolves to
// on this machine (the resolver picks, say, __strlen_avx2 for strlen): the
// library is loaded (it usually already is, for libc), dlsym runs the
// resolver, and dladdr names the implementation and the library's base.
static int eh_ifunc_target(const char *lib, const char *sym, unsigned long *addr, unsigned long *base, const char **name)
{
	void *h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		h = dlopen(lib, RTLD_LAZY);
	if (!h)
		return -1;
	void *p = dlsym(h, sym);
	Dl_info info;
	if (!p || !dladdr(p, &info)) {
		dlclose(h);
		return -2;
	}
	*addr = (unsigned long)p;
	*base = (unsigned long)info.dli_fbase;
	*name = info.dli_sname;
	dlclose(h);
	return 0;
}
*/
import "C"

import (
	"debug/elf"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// resolveUprobe turns "binary:symbol" into the binary's path and the
// symbol's file offset, as the kernel's uprobes want. binary is a path, a
// library name ("c" for libc) or a command in $PATH; symbol may be a number
// (an offset already).
func resolveUprobe(target string) (path string, offset uint64, note string, err error) {
	i := strings.LastIndexByte(target, ':')
	if i <= 0 || i == len(target)-1 {
		return "", 0, "", fmt.Errorf("uprobe target %q: want binary:symbol", target)
	}
	binary, symbol := target[:i], target[i+1:]
	if path, err = findBinary(binary); err != nil {
		return "", 0, "", err
	}
	if n, err := strconv.ParseUint(symbol, 0, 64); err == nil {
		offset = n
	} else if offset, note, err = symbolOffset(path, symbol); err != nil {
		return "", 0, "", err
	}
	if offset > math.MaxUint32 {
		return "", 0, "", fmt.Errorf("offset %#x too large", offset)
	}
	return path, offset, note, nil
}

// libraryDirs are searched for lib<name>.so* when ldconfig's cache has no entry.
var libraryDirs = []string{"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"}

// findBinary finds a uprobe's binary as BCC does: a path as is, else a
// library (name "c" is libc.so.6), else a command in $PATH.
func findBinary(name string) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(name); err != nil {
			var pathErr *os.PathError
			if errors.As(err, &pathErr) {
				err = pathErr.Err // run names the target already
			}
			return "", fmt.Errorf("the binary: %w", err)
		}
		return filepath.Abs(name)
	}
	// "c" and "libc" mean libc.so*, "libc.so.6" that file.
	lib := "lib" + strings.TrimPrefix(name, "lib")
	matches := func(file string) bool {
		if strings.Contains(name, ".so") {
			return file == name
		}
		return strings.HasPrefix(file, lib+".so")
	}
	if out, err := exec.Command("ldconfig", "-p").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			// "	libc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6"
			fields := strings.Fields(line)
			if len(fields) >= 4 && matches(fields[0]) && fields[len(fields)-2] == "=>" {
				return fields[len(fields)-1], nil
			}
		}
	}
	for _, dir := range libraryDirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if matches(e.Name()) {
				return filepath.Join(dir, e.Name()), nil
			}
		}
	}
	if path, err := exec.LookPath(name); err == nil {
		return filepath.Abs(path)
	}
	return "", fmt.Errorf("no such file, library (%s.so) or command", textsafe.Escape(lib))
}

// symbolOffset finds a function symbol's offset in the file.
func symbolOffset(path, symbol string) (offset uint64, note string, err error) {
	// A FIFO or device named as the binary is refused, never waited on.
	file, info, err := safefile.Open(path, "uprobe binary")
	if err != nil {
		return 0, "", err
	}
	defer file.Close()
	f, err := elf.NewFile(file)
	if err != nil {
		return 0, "", fmt.Errorf("uprobe binary %s: %w", textsafe.Escape(path), err)
	}
	sym, err := findSymbol(f, symbol)
	if err != nil {
		return 0, "", fmt.Errorf("%w in %s", err, textsafe.Escape(path))
	}
	addr := sym.Value
	if elf.ST_TYPE(sym.Info) == elf.STT_GNU_IFUNC {
		// libbpf would probe the resolver, which runs once at load time:
		// probe what it resolves to instead. First as a running process
		// that has the library loaded resolved it (ifunc.go): no code of
		// the library runs here.
		impl, pid, procErr := ifuncFromProcess(f, info, sym.Value)
		if procErr == nil {
			addr, note = impl, fmt.Sprintf("%s is an IFUNC: probing its implementation %s, as process %d resolved it", symbol, symbolAt(f, impl), pid)
		} else {
			impl, name, err := ifuncByLoading(path, symbol)
			if err != nil {
				return 0, "", fmt.Errorf("%s in %s is an IFUNC and its implementation could not be found: %v; %w (probe the implementation by its offset instead: %s:0x...)", symbol, textsafe.Escape(path), procErr, err, textsafe.Escape(path))
			}
			addr, note = impl, fmt.Sprintf("%s is an IFUNC: probing its implementation %s", symbol, name)
		}
	}
	return segmentOffset(f, addr, symbol, path, note)
}

// ifuncByLoading resolves an IFUNC by loading the library into this
// process (dlopen: its constructors run): as root, only a library no other
// user could have written.
func ifuncByLoading(path, symbol string) (uint64, string, error) {
	if os.Geteuid() == 0 {
		if err := safefile.OnlyRootWrites(path); err != nil {
			return 0, "", fmt.Errorf("resolving it here would run the library's code as root: %w", err)
		}
	}
	return ifuncTarget(path, symbol)
}

// segmentOffset turns an address of the file into its file offset.
func segmentOffset(f *elf.File, addr uint64, symbol, path, note string) (uint64, string, error) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return addr - p.Vaddr + p.Off, note, nil
		}
	}
	return 0, "", fmt.Errorf("%s in %s is not in an executable segment", symbol, path)
}

func findSymbol(f *elf.File, name string) (elf.Symbol, error) {
	for _, read := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, _ := read()
		for _, s := range syms {
			t := elf.ST_TYPE(s.Info)
			if s.Name == name && s.Value != 0 && (t == elf.STT_FUNC || t == elf.STT_GNU_IFUNC) {
				return s, nil
			}
		}
	}
	return elf.Symbol{}, errors.New("no such function symbol")
}

// ifuncTarget gives the address (relative to the library's base) and name
// of the implementation an IFUNC resolves to here.
func ifuncTarget(path, symbol string) (uint64, string, error) {
	cpath, csym := C.CString(path), C.CString(symbol)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(csym))
	var addr, base C.ulong
	var name *C.char
	switch C.eh_ifunc_target(cpath, csym, &addr, &base, &name) {
	case -1:
		return 0, "", errors.New("dlopen failed")
	case -2:
		return 0, "", errors.New("dlsym failed")
	}
	offset := uint64(addr - base)
	impl := fmt.Sprintf("at %#x", offset) // a local symbol: dladdr has no name
	if name != nil {
		impl = C.GoString(name)
	}
	return offset, impl, nil
}
