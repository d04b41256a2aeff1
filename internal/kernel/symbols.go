package kernel

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// OpenFunc is the kernel function every open(2), openat(2), openat2(2) and
// creat(2) goes through since 5.6; the tutorial puts its kprobe there.
const OpenFunc = "do_sys_openat2"

// OpenFuncOld is its name before 5.6.
const OpenFuncOld = "do_sys_open"

// Symbol is where a kprobe on the open path can attach.
type Symbol struct {
	Name string // exact name to probe, e.g. "do_sys_openat2" or "do_sys_openat2.isra.0"
	Note string // why it is not the plain name, if it is not ("" otherwise)
}

// ResolveOpenFunc finds the symbol to probe for file opens in /proc/kallsyms.
func ResolveOpenFunc(v Version) (Symbol, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return Symbol{}, fmt.Errorf("read kernel symbols: %w", err)
	}
	defer f.Close()
	want := OpenFunc
	if !v.AtLeast(5, 6) {
		want = OpenFuncOld
	}
	return FindFunc(f, want)
}

// FindFunc looks for want in a kallsyms listing. The compiler may have
// renamed it with a suffix (".isra.0", ".constprop.0", ".part.0"): such a
// variant is used when the exact name is missing. When neither exists the
// function was inlined into its callers and cannot be probed.
func FindFunc(kallsyms io.Reader, want string) (Symbol, error) {
	var variant string
	sc := bufio.NewScanner(kallsyms)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		// "ffffffff816b52b0 t do_sys_openat2" with an optional "[module]".
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || !isTextSymbol(fields[1]) {
			continue
		}
		name := fields[2]
		if name == want {
			return Symbol{Name: want}, nil
		}
		if variant == "" && strings.HasPrefix(name, want+".") {
			variant = name
		}
	}
	if err := sc.Err(); err != nil {
		return Symbol{}, fmt.Errorf("read kernel symbols: %w", err)
	}
	if variant != "" {
		return Symbol{Name: variant, Note: fmt.Sprintf("%s was renamed %s by the compiler", want, variant)}, nil
	}
	return Symbol{}, fmt.Errorf("%s is not in /proc/kallsyms: this kernel inlined or renamed it", want)
}

func isTextSymbol(kind string) bool { return kind == "t" || kind == "T" }

// SyscallPrefix is what a syscall's entry function is called before its
// name on an architecture (GOARCH): x86-64 kernels since 4.17 wrap
// syscalls as __x64_sys_NAME, arm64 as __arm64_sys_NAME. BCC's
// get_syscall_fnname and libbpf's ksyscall use the same names.
func SyscallPrefix(arch string) string {
	switch arch {
	case "amd64":
		return "__x64_sys_"
	case "arm64":
		return "__arm64_sys_"
	case "s390x":
		return "__s390x_sys_"
	case "riscv64":
		return "__riscv_sys_"
	}
	return "sys_"
}
