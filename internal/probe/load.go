package probe

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	bpf "github.com/aquasecurity/libbpfgo"
	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// Loaded is a BPF object in the kernel with its programs attached.
// Close detaches every link and frees every kernel object.
type Loaded struct {
	Way      string     // label of the way that attached
	Where    string     // in words, e.g. "kprobe on do_sys_openat2"
	Skipped  []Skipped  // ways tried before it, with reasons
	Attached []Attached // hooks attached, with their targets on this kernel
	Absent   []Hook     // tracepoints this kernel does not have, skipped
	// Notes are lines worth telling the user, in order: warnings, ways
	// skipped and why, the way used ("attach: using kprobe on ...").
	Notes []string
	// Readers read Spec.Buffers, by map name.
	Readers map[string]*Reader

	module  *bpf.Module
	links   []*bpf.BPFLink
	iters   []iterLink      // the links of Iter hooks, read by ReadIters
	usdt    []usdtLink      // libbpf's links of USDT hooks
	tc      []*tcAttachment // tc filters added (removed by Close)
	sockets []int           // packet sockets filtered by a program
}

// Attached is a hook as attached here, with why its target is not the
// obvious one ("" when it is), e.g. "strlen is an IFUNC: probing __strlen_avx2".
type Attached struct {
	Hook
	Note string
}

// Load loads spec and attaches it the first way that works (only
// opts.Way when set). A verifier rejection ends the search at once: the
// program is wrong, and another way will not fix it.
func Load(spec Spec, opts Options) (*Loaded, error) {
	if err := kernel.CheckPrivileges(); err != nil {
		return nil, err
	}
	release, version, err := kernel.Release()
	if err != nil {
		return nil, err
	}
	if !kernel.HasBTF() {
		return nil, fmt.Errorf("kernel %s has no BTF (%s): CO-RE programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y", release, kernel.BTFPath)
	}
	ways, err := chooseWays(spec, opts.Way)
	if err != nil {
		return nil, err
	}
	var notes []string
	if warning := raiseMemlock(version); warning != "" {
		notes = append(notes, warning)
	}
	keepLoaderMemoryOutOfTheHeap()

	path, cleanup, err := objectFile(spec)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var vars []variable
	if len(spec.Globals) > 0 {
		if vars, err = readVariables(path); err != nil {
			return nil, fmt.Errorf("%s: %w", spec.Name, err)
		}
	}

	facts := Facts{Version: version, Tracefs: opts.Tracefs}
	var skipped []Skipped
	for _, way := range ways {
		l, err := loadWay(spec, way, path, vars, facts)
		if err == nil {
			l.Skipped = skipped
			for _, s := range skipped {
				notes = append(notes, fmt.Sprintf("attach: %s skipped: %v", s.Way, s.Reason))
			}
			l.Notes = append(notes, "attach: using "+l.Where)
			return l, nil
		}
		var rejected *VerifierError
		var global *GlobalError
		if errors.As(err, &rejected) || errors.As(err, &global) {
			return nil, err // the program or its settings are wrong: another way will not fix it
		}
		skipped = append(skipped, Skipped{Way: way.Label, Reason: err})
	}
	if len(ways) == 1 {
		return nil, fmt.Errorf("--attach %s: %w", ways[0].Label, skipped[0].Reason)
	}
	return nil, fmt.Errorf("no attach mode works on this kernel (%s)", joinSkipped(skipped))
}

func chooseWays(spec Spec, label string) ([]Way, error) {
	if len(spec.Ways) == 0 {
		return nil, fmt.Errorf("%s: nothing to attach", spec.Name)
	}
	if label == "" || label == "auto" {
		return spec.Ways, nil
	}
	labels := []string{"auto"}
	for _, w := range spec.Ways {
		if w.Label == label {
			return []Way{w}, nil
		}
		labels = append(labels, w.Label)
	}
	return nil, fmt.Errorf("invalid --attach %q: want %s", label, strings.Join(labels, ", "))
}

// objectFile gives the object as a file. libbpfgo's buffer constructor
// always raises RLIMIT_MEMLOCK (refused in some containers and useless
// since 5.11), while its file constructor can skip that; so embedded bytes
// go through a memfd, a file in memory only: nothing is left on disk
// whatever ends the process (SIGKILL while loading included). It is
// sealed once written, so what libbpf reads is what was checked; libbpf
// opens it again by /proc/self/fd/N.
//
// libbpf names the object after the path's last element, "N". That name
// shows only as the prefix of the kernel's names of the object's .rodata,
// .data and .bss maps ("5.rodata" in bpftool map); libbpf finds those maps
// by their section names, and every message of ours names spec.Name.
func objectFile(spec Spec) (path string, cleanup func(), err error) {
	if spec.Object == nil {
		if spec.Path == "" {
			return "", nil, fmt.Errorf("%s: no object bytes or path given", spec.Name)
		}
		return spec.Path, func() {}, nil
	}
	fd, err := unix.MemfdCreate("ebpf-hello-object", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return "", nil, fmt.Errorf("open %s: memfd_create: %w", spec.Name, err)
	}
	f := os.NewFile(uintptr(fd), "memfd:ebpf-hello-object")
	if _, err := f.Write(spec.Object); err != nil {
		f.Close()
		return "", nil, fmt.Errorf("open %s: %w", spec.Name, err)
	}
	const seals = unix.F_SEAL_WRITE | unix.F_SEAL_GROW | unix.F_SEAL_SHRINK | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return "", nil, fmt.Errorf("open %s: seal its memfd: %w", spec.Name, err)
	}
	return "/proc/self/fd/" + strconv.Itoa(fd), func() { f.Close() }, nil
}

// loadWay opens a fresh copy of the object, loads only the way's programs
// and attaches them: a program the kernel refuses (fentry on some kernels)
// must not take the other ways down with it.
func loadWay(spec Spec, way Way, path string, vars []variable, facts Facts) (l *Loaded, err error) {
	installLogger()
	module, err := bpf.NewModuleFromFileArgs(bpf.NewModuleArgs{BPFObjPath: path, SkipMemlockBump: true})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", spec.Name, err)
	}
	l = &Loaded{Way: way.Label, module: module}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	hooks, absent, err := prepareHooks(way, facts, sections(module))
	if err != nil {
		return nil, err
	}
	l.Absent = absent
	if err := enableOnly(module, hooks, spec.LoadOnly); err != nil {
		return nil, err
	}
	if err := setGlobals(module, vars, spec.Globals); err != nil {
		return nil, err
	}
	if err := setMapValueSizes(module, spec.MapValueSizes); err != nil {
		return nil, err
	}
	if err := setMapSizes(module, spec.MapSizes); err != nil {
		return nil, err
	}
	if err := loadObject(module, spec.Name); err != nil {
		return nil, err
	}
	if err := l.openReaders(spec.Buffers); err != nil {
		return nil, err
	}
	for _, h := range hooks {
		if err := l.attach(h); err != nil {
			return nil, &HookError{Hook: h.Hook, Err: err}
		}
		l.Attached = append(l.Attached, Attached{Hook: h.Hook, Note: h.note})
	}
	l.Where = describe(way.Label, hooks)
	return l, nil
}

// sections maps each program to its SEC() name.
func sections(module *bpf.Module) map[string]string {
	secs := map[string]string{}
	it := module.Iterator()
	for prog := it.NextProgram(); prog != nil; prog = it.NextProgram() {
		secs[prog.Name()] = prog.SectionName()
	}
	return secs
}

// describe says where a way attached: "kprobe on do_sys_openat2 (note)".
func describe(label string, hooks []resolvedHook) string {
	var targets, notes []string
	seen := map[string]bool{}
	for _, h := range hooks {
		if h.Kind == Tracepoint && strings.Contains(h.Target, ":sys_exit_") {
			continue // the entries say which syscalls are traced
		}
		if !seen[h.Target] {
			seen[h.Target] = true
			targets = append(targets, h.Target)
		}
		if h.note != "" && !seen["note:"+h.note] {
			seen["note:"+h.note] = true
			notes = append(notes, h.note)
		}
	}
	s := label + " on " + strings.Join(targets, ", ")
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, "; ") + ")"
	}
	return s
}

// enableOnly turns autoload off for every program no hook names, gives
// each named program the type its hooks need, and points fentry/fexit
// programs at their function.
func enableOnly(module *bpf.Module, hooks []resolvedHook, loadOnly map[string]Kind) error {
	wanted := map[string]resolvedHook{}
	for name, kind := range loadOnly {
		wanted[name] = resolvedHook{Hook: Hook{Program: name, Kind: kind}}
	}
	for _, h := range hooks {
		if prev, ok := wanted[h.Program]; ok && progType(prev.Kind) != progType(h.Kind) {
			return fmt.Errorf("program %s cannot be both %s and %s", h.Program, prev.Kind, h.Kind)
		}
		wanted[h.Program] = h
	}
	it := module.Iterator()
	for prog := it.NextProgram(); prog != nil; prog = it.NextProgram() {
		h, ok := wanted[prog.Name()]
		if err := prog.SetAutoload(ok); err != nil {
			return fmt.Errorf("select program %s: %w", prog.Name(), err)
		}
		delete(wanted, prog.Name())
		if !ok {
			continue
		}
		if t := progType(h.Kind); t != prog.GetType() {
			if t == bpf.BPFProgTypeTracing {
				return fmt.Errorf("program %s (SEC %q) cannot be loaded as %s", prog.Name(), prog.SectionName(), h.Kind)
			}
			if err := prog.SetType(t); err != nil {
				return fmt.Errorf("load %s as %s: %w", prog.Name(), h.Kind, err)
			}
		}
		if h.Kind == Fentry || h.Kind == Fexit {
			if err := prog.SetAttachTarget(0, h.Target); err != nil {
				return fmt.Errorf("point %s at %s: %w", prog.Name(), h.Target, err)
			}
		}
	}
	for name := range wanted {
		return fmt.Errorf("program %s not found in the BPF object", name)
	}
	return nil
}

// progType is the BPF program type a hook kind needs.
func progType(k Kind) bpf.BPFProgType {
	switch k {
	case Tracepoint:
		return bpf.BPFProgTypeTracepoint
	case RawTracepoint:
		return bpf.BPFProgTypeRawTracepoint
	case Fentry, Fexit, TpBTF, Iter:
		return bpf.BPFProgTypeTracing
	case LSM:
		return bpf.BPFProgTypeLsm
	case PerfEvent:
		return bpf.BPFProgTypePerfEvent
	case XDP:
		return bpf.BPFProgTypeXdp
	case TC:
		return bpf.BPFProgTypeSchedCls
	case SocketFilter:
		return bpf.BPFProgTypeSocketFilter
	}
	return bpf.BPFProgTypeKprobe // kprobes and uprobes
}

func setMapValueSizes(module *bpf.Module, sizes map[string]uint32) error {
	for name, size := range sizes {
		m, err := module.GetMap(name)
		if err != nil {
			return fmt.Errorf("find BPF map %s: %w", name, err)
		}
		if err := m.SetValueSize(size); err != nil {
			return fmt.Errorf("set BPF map %s's value size: %w", name, err)
		}
	}
	return nil
}

func setMapSizes(module *bpf.Module, sizes map[string]uint32) error {
	for name, entries := range sizes {
		m, err := module.GetMap(name)
		if err != nil {
			return fmt.Errorf("find BPF map %s: %w", name, err)
		}
		if err := m.SetMaxEntries(entries); err != nil {
			return fmt.Errorf("size BPF map %s: %w", name, err)
		}
	}
	return nil
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
	// libbpf said which map or program it was ("map 'stackmap': failed
	// to create: ..."): the learner needs that, not only EINVAL.
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimPrefix(strings.TrimSpace(lines[i]), "libbpf: ")
		if strings.HasPrefix(line, "map '") || strings.HasPrefix(line, "prog '") {
			return fmt.Errorf("kernel refused to load %s: %s (%s)", name, errnoText(err), textsafe.Escape(line))
		}
	}
	return fmt.Errorf("kernel refused to load %s: %s", name, errnoText(err))
}

// Close detaches every link, then frees the object (maps, programs, buffers).
func (l *Loaded) Close() {
	if l == nil || l.module == nil {
		return
	}
	// Destroy our links first: libbpfgo's Module.Close does not know the
	// fentry and uprobe links (AttachGeneric, AttachUprobe do not record them).
	for _, link := range l.links {
		_ = link.Destroy()
	}
	l.links = nil
	l.closeUSDT()
	l.closeNet()
	for _, r := range l.Readers { // buffers before the maps they read
		r.Close()
	}
	l.Readers = nil
	l.module.Close()
	l.module = nil
}

// raiseMemlock lifts RLIMIT_MEMLOCK on kernels before 5.11, which charge BPF
// memory to it, and returns a warning when that fails. Newer kernels use
// memory cgroups instead and need nothing.
func raiseMemlock(v kernel.Version) string {
	if v.AtLeast(5, 11) {
		return ""
	}
	limit := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &limit); err != nil {
		return fmt.Sprintf("warning: kernel %s charges BPF maps to RLIMIT_MEMLOCK and raising it failed (%v): loading may fail with 'operation not permitted'", v, err)
	}
	return ""
}

// isErrno reports whether err is errno. libbpfgo formats some attach errors
// with %v instead of %w, so the errno may survive only as text.
func isErrno(err error, errno syscall.Errno) bool {
	return errors.Is(err, errno) || strings.HasSuffix(strings.TrimSpace(err.Error()), errno.Error())
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
