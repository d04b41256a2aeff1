package probe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	bpf "github.com/aquasecurity/libbpfgo"
	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	tfs "github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Options say how to load and attach.
type Options struct {
	Mode    Mode   // Auto tries Chain in order
	Tracefs string // tracefs root, needed to attach tracepoints ("" if not mounted)
	// Notify receives one line per decision worth telling the user
	// (which mode attached, why others were skipped). May be nil.
	Notify func(msg string)
}

// Loaded is a BPF object in the kernel with its programs attached.
// Close detaches every link and frees every kernel object.
type Loaded struct {
	Mode    Mode      // the mode that attached
	Where   string    // human description, e.g. "kprobe on do_sys_openat2"
	Skipped []Skipped // modes tried before it, with reasons

	// Reader reads Spec.Output (nil without one); Close frees it.
	Reader *Reader

	obj         *Object
	links       []*bpf.BPFLink
	tracepoints []string // "syscalls:sys_enter_openat", ... attached
}

// Object is an opened BPF object, handed to Spec.Configure before loading.
type Object struct {
	module *bpf.Module
}

// SetGlobal sets a const volatile global of the BPF program (before load).
func (o *Object) SetGlobal(name string, value any) error {
	if err := o.module.InitGlobalVariable(name, value); err != nil {
		return fmt.Errorf("set BPF global %s: %w", name, err)
	}
	return nil
}

// SetMapSize sets a map's max_entries (before load); for a ring buffer it is the size in bytes.
func (o *Object) SetMapSize(name string, entries uint32) error {
	m, err := o.module.GetMap(name)
	if err != nil {
		return fmt.Errorf("find BPF map %s: %w", name, err)
	}
	if err := m.SetMaxEntries(entries); err != nil {
		return fmt.Errorf("size BPF map %s: %w", name, err)
	}
	return nil
}

// Load loads spec and attaches it with opts.Mode, or with the first mode of
// the chain that works when opts.Mode is Auto.
func Load(spec Spec, opts Options) (*Loaded, error) {
	notify := opts.Notify
	if notify == nil {
		notify = func(string) {}
	}
	if err := kernel.CheckPrivileges(); err != nil {
		return nil, err
	}
	release, version, err := kernel.Release()
	if err != nil {
		return nil, err
	}
	if !kernel.HasBTF() {
		return nil, fmt.Errorf("kernel %s has no BTF (%s): ebpf-hello's CO-RE programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y", release, kernel.BTFPath)
	}
	raiseMemlock(version, notify)
	keepLoaderMemoryOutOfTheHeap()

	modes := []Mode{opts.Mode}
	if opts.Mode == Auto {
		modes = Chain
	}
	var skipped []Skipped
	for _, mode := range modes {
		l, err := loadMode(spec, mode, version, opts.Tracefs)
		if err == nil {
			l.Skipped = skipped
			for _, s := range skipped {
				notify(fmt.Sprintf("attach: %s skipped: %v", s.Mode, s.Reason))
			}
			notify("attach: using " + l.Where)
			return l, nil
		}
		var rejected *VerifierError
		if errors.As(err, &rejected) {
			return nil, err // our program is wrong: another mode will not fix it
		}
		skipped = append(skipped, Skipped{Mode: mode, Reason: err})
	}
	if opts.Mode != Auto {
		return nil, fmt.Errorf("--attach %s: %w", opts.Mode, skipped[0].Reason)
	}
	return nil, fmt.Errorf("no attach mode works on this kernel (%s)", joinSkipped(skipped))
}

// loadMode opens a fresh copy of the object, loads only mode's programs and attaches them.
func loadMode(spec Spec, mode Mode, version kernel.Version, tracefs string) (l *Loaded, err error) {
	hooks := spec.Hooks[mode]
	if len(hooks) == 0 {
		return nil, fmt.Errorf("%s has no programs for this mode", spec.Name)
	}
	target, where, err := prepare(mode, version, tracefs)
	if err != nil {
		return nil, err
	}

	module, err := openModule(spec)
	if err != nil {
		return nil, err
	}
	l = &Loaded{Mode: mode, Where: where, obj: &Object{module: module}}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()

	hooks, err = enableOnly(module, hooks, target, tracefs)
	if err != nil {
		return nil, err
	}
	if spec.Configure != nil {
		if err := spec.Configure(l.obj); err != nil {
			return nil, err
		}
	}
	if err := loadObject(module, spec.Name); err != nil {
		return nil, err
	}
	if out := spec.Output; out != nil {
		if out.Ring {
			l.Reader, err = l.RingReader(out.Map)
		} else {
			l.Reader, err = l.PerfReader(out.Map, out.Pages)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, h := range hooks {
		if err := l.attach(h, target, tracefs); err != nil {
			return nil, err
		}
	}
	if mode == Tracepoint {
		l.Where = "tracepoints " + strings.Join(l.tracepoints, ", ")
	}
	return l, nil
}

// prepare checks what a mode needs before anything is loaded, so the reason
// a mode cannot work is the real one, and returns the function to hook.
func prepare(mode Mode, version kernel.Version, tracefs string) (target, where string, err error) {
	switch mode {
	case Kprobe:
		if !kernel.HasKprobes(tracefs) {
			return "", "", errors.New("kernel built without CONFIG_KPROBES")
		}
		sym, err := kernel.ResolveOpenFunc(version)
		if err != nil {
			return "", "", err
		}
		where = "kprobe on " + sym.Name
		if sym.Note != "" {
			where += " (" + sym.Note + ")"
		}
		return sym.Name, where, nil
	case Fentry:
		if !version.AtLeast(5, 5) {
			return "", "", fmt.Errorf("fentry needs kernel 5.5 or newer, this is %s", version)
		}
		// fentry attaches by BTF name, which never carries the compiler's suffix.
		return kernel.OpenFunc, "fentry on " + kernel.OpenFunc, nil
	case Tracepoint:
		if tracefs == "" {
			return "", "", errors.New("tracefs is not mounted")
		}
		return "", "tracepoints", nil
	}
	return "", "", fmt.Errorf("unknown attach mode %q", mode)
}

// openModule hands the embedded object to libbpf. libbpfgo's buffer
// constructor always raises RLIMIT_MEMLOCK (refused in some containers and
// useless since 5.11), while its file constructor can skip that; so the
// bytes go through a short-lived temporary file.
func openModule(spec Spec) (*bpf.Module, error) {
	dir, err := os.MkdirTemp("", "ebpf-hello-")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", spec.Name, err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, spec.Name)
	if err := os.WriteFile(path, spec.Object, 0o600); err != nil {
		return nil, fmt.Errorf("open %s: %w", spec.Name, err)
	}
	installLogger()
	module, err := bpf.NewModuleFromFileArgs(bpf.NewModuleArgs{BPFObjPath: path, SkipMemlockBump: true})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", spec.Name, err)
	}
	return module, nil
}

// enableOnly turns off autoload for every program not in hooks and for
// tracepoint programs whose tracepoint this kernel lacks, points fentry/fexit
// programs at target, and returns the hooks left to attach.
func enableOnly(module *bpf.Module, hooks []Hook, target, tracefs string) ([]Hook, error) {
	wanted := map[string]Hook{}
	for _, h := range hooks {
		wanted[h.Program] = h
	}
	var enabled []Hook
	var missing []string // tracepoints this kernel lacks
	it := module.Iterator()
	for prog := it.NextProgram(); prog != nil; prog = it.NextProgram() {
		h, ok := wanted[prog.Name()]
		delete(wanted, prog.Name())
		if ok && h.Kind == SECTracepoint {
			exists, err := tracepointExists(tracefs, prog.SectionName())
			if err != nil {
				return nil, err
			}
			if !exists {
				missing = append(missing, prog.SectionName())
				ok = false
			}
		}
		if err := prog.SetAutoload(ok); err != nil {
			return nil, fmt.Errorf("select program %s: %w", prog.Name(), err)
		}
		if !ok {
			continue
		}
		if h.Kind == FentryEntry {
			if err := prog.SetAttachTarget(0, target); err != nil {
				return nil, fmt.Errorf("point %s at %s: %w", prog.Name(), target, err)
			}
		}
		enabled = append(enabled, h)
	}
	for name := range wanted {
		return nil, fmt.Errorf("program %s not found in the BPF object", name)
	}
	if len(enabled) == 0 && len(missing) > 0 {
		return nil, fmt.Errorf("none of the tracepoints %s exist (kernel without CONFIG_FTRACE_SYSCALLS?)", strings.Join(missing, ", "))
	}
	return enabled, nil
}

// tracepointExists says whether the tracepoint of a SEC("tracepoint/CATEGORY/NAME")
// (or "tp/...") program exists here. A permission error is an error: it
// says nothing about the kernel.
func tracepointExists(tracefs, section string) (bool, error) {
	category, name, ok := tracepointOf(section)
	if !ok {
		return false, fmt.Errorf("SEC(%q) names no tracepoint", section)
	}
	path := filepath.Join(tracefs, "events", category, name)
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("look for tracepoint %s:%s: %w", category, name, tfs.AccessError(path, err))
}

// tracepointOf splits "tracepoint/CATEGORY/NAME" or "tp/CATEGORY/NAME".
func tracepointOf(section string) (category, name string, ok bool) {
	parts := strings.Split(section, "/")
	if len(parts) != 3 || (parts[0] != "tracepoint" && parts[0] != "tp") || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// loadObject loads the object, turning a verifier rejection into a VerifierError.
func loadObject(module *bpf.Module, name string) error {
	logs.start()
	err := module.BPFLoadObject()
	lines := logs.stop()
	if err == nil {
		return nil
	}
	if v := verifierError(lines, err); v != nil {
		return v
	}
	return fmt.Errorf("kernel refused to load %s: %s", name, errnoText(err))
}

func (l *Loaded) attach(h Hook, target, tracefs string) error {
	prog, err := l.obj.module.GetProgram(h.Program)
	if err != nil {
		return fmt.Errorf("find program %s: %w", h.Program, err)
	}
	var link *bpf.BPFLink
	switch h.Kind {
	case KprobeEntry:
		link, err = prog.AttachKprobe(target)
	case KprobeReturn:
		link, err = prog.AttachKretprobe(target)
	case FentryEntry:
		link, err = prog.AttachGeneric()
	case SECTracepoint:
		category, name, _ := tracepointOf(prog.SectionName())
		link, err = prog.AttachTracepoint(category, name)
		if err != nil {
			return fmt.Errorf("attach tracepoint %s:%s: %s", category, name, errnoText(err))
		}
		if !strings.HasPrefix(name, "sys_exit_") { // the entries say which syscalls are traced
			l.tracepoints = append(l.tracepoints, category+":"+name)
		}
	case SyscallTracepoints:
		return l.attachTracepoints(prog, h.Tracepoints, tracefs)
	}
	if err != nil {
		if isErrno(err, syscall.ENOENT) || isErrno(err, syscall.EINVAL) {
			return fmt.Errorf("symbol %s not found by the kernel", target)
		}
		return fmt.Errorf("attach %s: %s", h.Program, errnoText(err))
	}
	l.links = append(l.links, link)
	return nil
}

func (l *Loaded) attachTracepoints(prog *bpf.BPFProg, names []string, tracefs string) error {
	attached := 0
	for _, name := range names {
		path := filepath.Join(tracefs, "events", "syscalls", name)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue // this kernel has no such syscall
		} else if err != nil {
			return fmt.Errorf("look for tracepoint syscalls:%s: %w", name, tfs.AccessError(path, err))
		}
		link, err := prog.AttachTracepoint("syscalls", name)
		if err != nil {
			return fmt.Errorf("attach tracepoint syscalls:%s: %s", name, errnoText(err))
		}
		l.links = append(l.links, link)
		if strings.HasPrefix(name, "sys_enter_") {
			l.tracepoints = append(l.tracepoints, "syscalls:"+name)
		}
		attached++
	}
	if attached == 0 {
		return fmt.Errorf("none of the tracepoints %s exist (kernel without CONFIG_FTRACE_SYSCALLS?)", strings.Join(names, ", "))
	}
	return nil
}

// Close detaches every link, then frees the object (maps, programs, buffers).
func (l *Loaded) Close() {
	if l == nil || l.obj == nil {
		return
	}
	// Destroy our links first: libbpfgo's Module.Close does not know the
	// fentry links (AttachGeneric does not record them).
	for _, link := range l.links {
		_ = link.Destroy()
	}
	l.links = nil
	if l.Reader != nil {
		l.Reader.Close() // the buffers before the maps they read
		l.Reader = nil
	}
	l.obj.module.Close()
	l.obj = nil
}

// raiseMemlock lifts RLIMIT_MEMLOCK on kernels before 5.11, which charge BPF
// memory to it. Newer kernels use memory cgroups instead and need nothing.
func raiseMemlock(v kernel.Version, notify func(string)) {
	if v.AtLeast(5, 11) {
		return
	}
	limit := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &limit); err != nil {
		notify(fmt.Sprintf("warning: kernel %s charges BPF maps to RLIMIT_MEMLOCK and raising it failed (%v): loading may fail with 'operation not permitted'", v, err))
	}
}

// isErrno reports whether err is errno. libbpfgo formats some attach errors
// with %v instead of %w, so the errno may survive only as text.
func isErrno(err error, errno syscall.Errno) bool {
	return errors.Is(err, errno) || strings.HasSuffix(err.Error(), errno.Error())
}

// errnoText gives the errno inside err in words, e.g. "operation not permitted (EPERM)".
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name := unix.ErrnoName(errno); name != "" {
			return fmt.Sprintf("%s (%s)", errno.Error(), name)
		}
		return errno.Error()
	}
	return err.Error()
}
