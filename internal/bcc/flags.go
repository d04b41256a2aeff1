package bcc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// ParseAttach reads run's attach flags, which mirror BCC's Python calls:
//
//	--kprobe EVENT=FN       b.attach_kprobe(event=EVENT, fn_name=FN)
//	--kretprobe EVENT=FN    (sys_X is named as get_syscall_fnname does)
//	--tracepoint CAT:EVENT=FN
//	--raw-tracepoint EVENT=FN
//	--uprobe LIB:SYM=FN     b.attach_uprobe(name=LIB, sym=SYM, fn_name=FN)
//	--uretprobe LIB:SYM=FN
func ParseAttach(kind runplan.AttachKind, value, arch string) (runplan.Attach, error) {
	flag := "--" + strings.ReplaceAll(string(kind), "_", "-")
	target, fn, ok := strings.Cut(value, "=")
	if i := strings.LastIndex(value, "="); i >= 0 {
		target, fn, ok = value[:i], value[i+1:], true
	}
	if !ok || target == "" || !isCIdent(fn) {
		return runplan.Attach{}, fmt.Errorf("%s %q: want WHERE=FUNCTION, e.g. %s", flag, value, flagExample(kind))
	}
	switch kind {
	case runplan.Kprobe, runplan.Kretprobe:
		if strings.HasPrefix(target, "sys_") {
			target = SyscallPrefix(arch) + strings.TrimPrefix(target, "sys_")
		}
		if strings.ContainsAny(target, ":/ ") {
			return runplan.Attach{}, fmt.Errorf("%s %q: EVENT is a kernel function name, e.g. %s", flag, value, flagExample(kind))
		}
	case runplan.Tracepoint:
		cat, ev, ok := strings.Cut(target, ":")
		if !ok {
			return runplan.Attach{}, fmt.Errorf("%s %q: want CATEGORY:EVENT=FUNCTION, e.g. %s", flag, value, flagExample(kind))
		}
		if err := runplan.ValidTracepoint(cat, ev); err != nil {
			return runplan.Attach{}, fmt.Errorf("%s %q: %v", flag, value, err)
		}
	case runplan.RawTracepoint:
		if !isCIdent(target) {
			return runplan.Attach{}, fmt.Errorf("%s %q: want EVENT=FUNCTION, e.g. %s", flag, value, flagExample(kind))
		}
	case runplan.Uprobe, runplan.Uretprobe:
		lib, sym, ok := strings.Cut(target, ":")
		if i := strings.LastIndex(target, ":"); i >= 0 {
			lib, sym, ok = target[:i], target[i+1:], true
		}
		if !ok || lib == "" || sym == "" {
			return runplan.Attach{}, fmt.Errorf("%s %q: want LIBRARY:SYMBOL=FUNCTION, e.g. %s", flag, value, flagExample(kind))
		}
	case runplan.USDT:
		parts := strings.Split(target, ":")
		if len(parts) < 3 || slices.Contains(parts, "") {
			return runplan.Attach{}, fmt.Errorf("%s %q: want BINARY:PROVIDER:NAME=FUNCTION, e.g. %s", flag, value, flagExample(kind))
		}
	default:
		return runplan.Attach{}, fmt.Errorf("unknown attach kind %q", kind)
	}
	return runplan.Attach{Program: fn, Kind: kind, Target: target}, nil
}

func flagExample(kind runplan.AttachKind) string {
	switch kind {
	case runplan.Kprobe:
		return "--kprobe do_sys_openat2=hello_world"
	case runplan.Kretprobe:
		return "--kretprobe do_sys_openat2=trace_return"
	case runplan.Tracepoint:
		return "--tracepoint syscalls:sys_enter_openat=trace_open"
	case runplan.RawTracepoint:
		return "--raw-tracepoint sys_enter=trace_enter"
	case runplan.Uprobe:
		return "--uprobe c:malloc=trace_malloc"
	case runplan.Uretprobe:
		return "--uretprobe c:malloc=trace_malloc_return"
	case runplan.USDT:
		return "--usdt c:libc:setjmp=trace_setjmp"
	}
	return ""
}

func isCIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) || s[0] >= 0x80 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentChar(s[i]) || s[i] >= 0x80 {
			return false
		}
	}
	return true
}
