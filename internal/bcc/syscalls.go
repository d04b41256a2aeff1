package bcc

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
)

// A syscall fallback serves a kprobe on a syscall's entry (or a kretprobe
// on its return) from the syscalls:sys_enter_X / sys_exit_X tracepoints,
// for kernels without kprobes. Each argument of the probed function is
// taken from one of the tracepoint's arguments.
type sysFallback struct {
	syscall string
	// args[i] is the C expression for the probed function's i-th argument
	// (after ctx), in terms of the tracepoint's `args->args[]`; "" means the
	// syscall has no such value (the argument is 0 there, and said so).
	args []string
}

const atFDCWD = "-100" // AT_FDCWD: open(2) and creat(2) name paths like openat(AT_FDCWD, ...)

// syscallFallbacks returns the tracepoints serving a probe on fn, or nil
// when fn is not a syscall entry (an internal kernel function: no fallback).
func syscallFallbacks(fn, arch string, has func(string) bool) []sysFallback {
	var out []sysFallback
	add := func(f sysFallback) {
		if has(f.syscall) {
			out = append(out, f)
		}
	}
	switch fn {
	case "do_sys_openat2": // (dfd, filename, struct open_how *how): how is a kernel copy
		add(sysFallback{"openat", []string{"args->args[0]", "args->args[1]", ""}})
		add(sysFallback{"openat2", []string{"args->args[0]", "args->args[1]", ""}})
		add(sysFallback{"open", []string{atFDCWD, "args->args[0]", ""}})
		add(sysFallback{"creat", []string{atFDCWD, "args->args[0]", ""}})
		return out
	case "do_sys_open": // (dfd, filename, flags, mode)
		add(sysFallback{"openat", []string{"args->args[0]", "args->args[1]", "args->args[2]", "args->args[3]"}})
		add(sysFallback{"openat2", []string{"args->args[0]", "args->args[1]", "", ""}})
		add(sysFallback{"open", []string{atFDCWD, "args->args[0]", "args->args[1]", "args->args[2]"}})
		add(sysFallback{"creat", []string{atFDCWD, "args->args[0]", "01101", "args->args[1]"}}) // O_CREAT|O_WRONLY|O_TRUNC
		return out
	}
	name, ok := syscallName(fn, arch)
	if !ok {
		return nil
	}
	direct := []string{"args->args[0]", "args->args[1]", "args->args[2]", "args->args[3]", "args->args[4]", "args->args[5]"}
	add(sysFallback{name, direct})
	if name == "clone" { // glibc's posix_spawn and many runtimes use clone3
		add(sysFallback{"clone3", []string{"", "", "", "", "", ""}})
	}
	return out
}

// syscallName recognises a syscall's kernel entry point: sys_X (BCC's
// names before the per-architecture prefix), __x64_sys_X and friends.
func syscallName(fn, arch string) (string, bool) {
	for _, p := range []string{"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__s390x_sys_", "__s390_sys_",
		"__riscv_sys_", "__powerpc_sys_", "__se_sys_", "sys_"} {
		if strings.HasPrefix(fn, p) && len(fn) > len(p) {
			name := fn[len(p):]
			return name, isCIdent(name) // it names a tracefs directory
		}
	}
	return "", false
}

// SyscallPrefix is what BCC's get_syscall_fnname puts before a syscall's
// name on an architecture (kernel.SyscallPrefix).
func SyscallPrefix(arch string) string { return kernel.SyscallPrefix(arch) }

// isSyscallWrapper tells whether a kprobe on fn sees the syscall's
// arguments in a nested struct pt_regs (the wrappers of 4.17+ kernels).
func isSyscallWrapper(fn string) bool {
	for _, p := range []string{"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__s390x_sys_", "__s390_sys_", "__riscv_sys_", "__powerpc_sys_"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// syscallTracepoints tells which syscalls:sys_enter_X exist under tracefs.
// Without a readable tracefs it guesses from the architecture (open and
// creat exist on x86 only).
func syscallTracepoints(tracefs, arch string) func(string) bool {
	dir := filepath.Join(tracefs, "events", "syscalls")
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return func(name string) bool {
			_, err := os.Stat(filepath.Join(dir, "sys_enter_"+name))
			return err == nil
		}
	}
	return func(name string) bool {
		switch name {
		case "open", "creat":
			return arch == "amd64" || arch == "386"
		}
		return true
	}
}
