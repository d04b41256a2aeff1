package probe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	bpf "github.com/aquasecurity/libbpfgo"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	tfs "github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// resolvedHook is a Hook whose target was checked on this kernel.
type resolvedHook struct {
	Hook
	note   string // why the target is not the obvious one
	path   string // uprobes: the binary
	offset uint64 // uprobes: the function's file offset
}

// prepareHooks checks what each hook needs before anything is loaded, so
// the reason a way cannot work is the real one, and resolves the targets.
// Tracepoints this kernel lacks are returned apart, as absent.
func prepareHooks(way Way, facts Facts, secs map[string]string) (present []resolvedHook, absent []Hook, err error) {
	var missingTracepoints []string
	for _, h := range way.Hooks {
		sec, ok := secs[h.Program]
		if !ok {
			return nil, nil, fmt.Errorf("program %s not found in the BPF object", h.Program)
		}
		r, err := resolve(h, facts, sec)
		if err != nil {
			return nil, nil, &HookError{Hook: h, Err: err}
		}
		if h.Kind != Tracepoint {
			present = append(present, r)
			continue
		}
		exists, err := tracepointExists(facts.Tracefs, r.Target)
		if err != nil {
			return nil, nil, &HookError{Hook: h, Err: err}
		}
		if !exists {
			absent = append(absent, r.Hook)
			missingTracepoints = append(missingTracepoints, r.Target)
			continue
		}
		present = append(present, r)
	}
	if len(present) == 0 {
		if len(missingTracepoints) > 0 {
			cat, ev, _ := strings.Cut(missingTracepoints[0], ":")
			why := runplan.MissingTracepoint(facts.Tracefs, cat, ev)
			if len(missingTracepoints) == 1 {
				return nil, nil, errors.New(why)
			}
			return nil, nil, fmt.Errorf("none of the tracepoints %s exist (%s)", strings.Join(missingTracepoints, ", "), why)
		}
		return nil, nil, errors.New("no programs to attach")
	}
	return present, absent, nil
}

// resolve fills in a hook's target (from its Resolver, else the program's
// SEC() when the hook names none) and checks the kernel can hook it.
func resolve(h Hook, facts Facts, sec string) (resolvedHook, error) {
	r := resolvedHook{Hook: h}
	switch h.Kind {
	case Kprobe, Kretprobe:
		if !kernel.HasKprobes(facts.Tracefs) {
			return r, errors.New("kernel built without CONFIG_KPROBES")
		}
	case Fentry, Fexit:
		if !facts.Version.AtLeast(5, 5) {
			return r, fmt.Errorf("%s needs kernel 5.5 or newer, this is %s", h.Kind, facts.Version)
		}
	case Tracepoint:
		if facts.Tracefs == "" {
			return r, errors.New("tracefs is not mounted")
		}
	case TpBTF:
		if !facts.Version.AtLeast(5, 5) {
			return r, fmt.Errorf("tp_btf needs kernel 5.5 or newer, this is %s", facts.Version)
		}
	case RawTracepoint:
		if !facts.Version.AtLeast(4, 17) {
			return r, fmt.Errorf("raw tracepoints need kernel 4.17 or newer, this is %s", facts.Version)
		}
	case Iter:
		if !facts.Version.AtLeast(5, 8) {
			return r, fmt.Errorf("BPF iterators need kernel 5.8 or newer, this is %s", facts.Version)
		}
	case LSM:
		if err := kernel.BPFLSMActive(); err != nil {
			return r, err
		}
	case XDP, TC, SocketFilter:
		if err := checkIface(h.Target); err != nil {
			return r, err
		}
	case Uprobe, Uretprobe, USDT, PerfEvent:
	default:
		return r, fmt.Errorf("program %s: unknown hook kind %q", h.Program, h.Kind)
	}
	if h.Resolve != nil {
		target, note, err := h.Resolve(facts)
		if err != nil {
			return r, err
		}
		r.Target, r.note = target, note
	}
	if r.Target == "" {
		if _, target, ok := ParseSEC(sec); ok {
			r.Target = target
		}
	}
	if r.Target == "" && h.Kind != PerfEvent { // perf_event: the default frequency
		return r, fmt.Errorf("program %s: SEC(%q) names no %s target, and none was given", h.Program, sec, h.Kind)
	}
	switch h.Kind {
	case Tracepoint:
		// Names only: the target becomes a tracefs path.
		if err := runplan.ValidTracepointTarget(r.Target); err != nil {
			return r, err
		}
	case USDT:
		binary, provider, name, ok := splitUSDT(r.Target)
		if !ok || binary == "" && h.PID <= 0 {
			return r, fmt.Errorf("USDT target %q: want BINARY:PROVIDER:NAME", r.Target)
		}
		path := ""
		if binary != "" {
			var err error
			if path, err = findBinary(binary); err != nil {
				return r, err
			}
		}
		if path == "" || provider == "" {
			target, note, err := findUSDT(h.PID, path, provider, name)
			if err != nil {
				return r, err
			}
			path, provider, name, _ = splitUSDT(target)
			r.note = note
		}
		// libbpf opens it: a FIFO or a device would hang or mislead it.
		if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
			return r, fmt.Errorf("USDT binary %s: not a regular file", path)
		}
		r.Target = path + ":" + provider + ":" + name
	case Uprobe, Uretprobe:
		path, offset, note, err := resolveUprobe(r.Target)
		if err != nil {
			return r, err
		}
		r.path, r.offset = path, offset
		if note != "" {
			r.note = note
		}
	}
	return r, nil
}

// errENOTSUPP is the kernel's own ENOTSUPP (524), which bpf() passes on
// when it cannot attach a BPF trampoline; Go has no name for it.
const errENOTSUPP = syscall.Errno(524)

// noTrampoline says why fentry/fexit failed with ENOTSUPP. The trampoline
// that runs them is patched into a kernel function through ftrace direct
// calls: x86-64 has them from 5.5, arm64 only from 6.4 (its 6.0 trampoline
// served BPF programs alone), so Debian 12's arm64 kernel (6.1) says this.
func noTrampoline(goarch string) string {
	why := "this kernel cannot attach fentry/fexit to kernel functions (ENOTSUPP)"
	if goarch == "arm64" {
		why += ": arm64 kernels can from 6.4 (ftrace direct calls)"
	}
	return why
}

// tracepointExists says whether "category:name" exists here. A permission
// error is an error: it says nothing about the kernel.
func tracepointExists(tracefs, target string) (bool, error) {
	category, name, _ := strings.Cut(target, ":")
	path := filepath.Join(tracefs, "events", category, name)
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("look for tracepoint %s: %w", target, tfs.AccessError(path, err))
}

// secPrefixes maps libbpf's SEC() prefixes to hook kinds.
var secPrefixes = map[string]Kind{
	"kprobe": Kprobe, "kretprobe": Kretprobe, "fentry": Fentry, "fexit": Fexit,
	"tracepoint": Tracepoint, "tp": Tracepoint, "raw_tracepoint": RawTracepoint, "raw_tp": RawTracepoint,
	"tp_btf": TpBTF, "uprobe": Uprobe, "uretprobe": Uretprobe, "iter": Iter, "usdt": USDT,
	"lsm": LSM, "lsm.s": LSM, "perf_event": PerfEvent,
	"xdp": XDP, "xdp.frags": XDP, "tc": TC, "classifier": TC, "tcx": TC, "socket": SocketFilter,
}

// ParseSEC reads a program's SEC() name as libbpf does: the hook kind and
// the target in this package's form ("tracepoint/syscalls/sys_enter_openat"
// -> Tracepoint, "syscalls:sys_enter_openat"; "uprobe//bin/bash:readline" ->
// Uprobe, "/bin/bash:readline"). target is "" when the SEC names none
// (SEC("kprobe")); ok is false for a prefix that is not a tracing hook.
func ParseSEC(sec string) (kind Kind, target string, ok bool) {
	prefix, rest, _ := strings.Cut(sec, "/")
	// ksyscall/NAME is a kprobe on the syscall's wrapper, as libbpf
	// attaches it (__x64_sys_NAME on x86-64).
	switch prefix {
	case "ksyscall", "kretsyscall":
		kind = Kprobe
		if prefix == "kretsyscall" {
			kind = Kretprobe
		}
		if rest == "" || strings.ContainsAny(rest, "+/") {
			return kind, "", true
		}
		return kind, kernel.SyscallPrefix(runtime.GOARCH) + rest, true
	}
	kind, ok = secPrefixes[prefix]
	if !ok {
		return "", "", false
	}
	switch kind {
	case Tracepoint:
		category, name, found := strings.Cut(rest, "/")
		if !found || category == "" || name == "" || strings.Contains(name, "/") {
			return kind, "", true
		}
		return kind, category + ":" + name, true
	case Kprobe, Kretprobe:
		// "kprobe/func+0x10" offsets are not supported: keep the name only if plain.
		if strings.ContainsAny(rest, "+/") {
			return kind, "", true
		}
	case XDP, SocketFilter:
		return kind, "", true // the interface is the loader's to say
	case TC:
		if rest == "ingress" || rest == "egress" {
			return kind, ":" + rest, true // the direction; the interface comes first
		}
		return kind, "", true
	}
	return kind, rest, true
}

func (l *Loaded) attach(h resolvedHook) error {
	prog, err := l.module.GetProgram(h.Program)
	if err != nil {
		return fmt.Errorf("find program %s: %w", h.Program, err)
	}
	var link *bpf.BPFLink
	switch h.Kind {
	case Kprobe:
		link, err = prog.AttachKprobe(h.Target)
	case Kretprobe:
		link, err = prog.AttachKretprobe(h.Target)
	case Fentry, Fexit, TpBTF:
		link, err = prog.AttachGeneric()
	case Tracepoint:
		category, name, _ := strings.Cut(h.Target, ":")
		link, err = prog.AttachTracepoint(category, name)
	case RawTracepoint:
		link, err = prog.AttachRawTracepoint(h.Target)
	case Uprobe:
		link, err = prog.AttachUprobe(-1, h.path, uint32(h.offset))
	case Uretprobe:
		link, err = prog.AttachURetprobe(-1, h.path, uint32(h.offset))
	case Iter:
		if link, err = prog.AttachIter(bpf.IterOpts{}); err == nil {
			l.iters = append(l.iters, iterLink{program: h.Program, link: link})
		}
	case LSM:
		link, err = prog.AttachLSM()
	case PerfEvent:
		if err = l.attachPerfEvent(prog, h.Target); err == nil {
			return nil // one link per CPU, kept in l.links
		}
	case XDP:
		iface, _ := splitIface(h.Target)
		link, err = prog.AttachXDP(iface)
	case TC:
		if err = l.attachTC(prog, h.Target); err == nil {
			return nil // kept in l.tc
		}
	case SocketFilter:
		if err = l.attachSocket(prog, h.Target); err == nil {
			return nil // kept in l.sockets
		}
	case USDT:
		if err = l.attachUSDT(prog, h.Target, h.PID); err == nil {
			return nil // libbpf's link, kept in l.usdt
		}
	}
	if err != nil {
		if (h.Kind == Kprobe || h.Kind == Kretprobe) && (isErrno(err, syscall.ENOENT) || isErrno(err, syscall.EINVAL)) {
			return fmt.Errorf("symbol %s not found by the kernel", h.Target)
		}
		if h.Kind == USDT && isErrno(err, syscall.ENOENT) {
			binary, provider, name, _ := splitUSDT(h.Target)
			return fmt.Errorf("%s has no USDT probe %s:%s (readelf -n lists its stapsdt notes)", binary, provider, name)
		}
		if h.Kind == LSM && isErrno(err, errENOTSUPP) { // BPF LSM programs run through trampolines, as fentry does
			return fmt.Errorf("attach %s to lsm %s: %s; BPF LSM programs need them too", h.Program, h.Target, noTrampoline(runtime.GOARCH))
		}
		if h.Kind == LSM {
			return fmt.Errorf("attach %s to lsm %s: %s (BPF LSM programs need CONFIG_BPF_LSM=y and bpf in the lsm= boot parameter)", h.Program, h.Target, errnoText(err))
		}
		if (h.Kind == Fentry || h.Kind == Fexit) && isErrno(err, errENOTSUPP) {
			return fmt.Errorf("attach %s to %s %s: %s", h.Program, h.Kind, h.Target, noTrampoline(runtime.GOARCH))
		}
		return fmt.Errorf("attach %s to %s %s: %s", h.Program, h.Kind, h.Target, errnoText(err))
	}
	l.links = append(l.links, link)
	return nil
}
