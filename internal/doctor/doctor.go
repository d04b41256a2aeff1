package doctor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// Options of one doctor run.
type Options struct {
	Lang     string // "en" or "zh"
	Selftest bool   // run the live end-to-end checks (root only)
	Exe      string // this binary, for the self-test
	Kernel   Kernel // tries BPF for real (internal/bpfcheck)
}

// Run performs every check. It never fails: what it cannot check is reported as skipped.
func Run(opts Options) *Report {
	d := &doctor{lang: opts.Lang, report: &Report{}, kernel: opts.Kernel}
	// Each check reports; the ones that find something later checks need
	// return it, and it is passed on here, in plain sight.
	var f facts
	f.root = kernel.CheckPrivileges() == nil
	f.version = d.checkKernel()
	d.checkBTF()
	d.checkPrivileges(f.root)
	d.checkUnprivilegedBPF()
	d.checkLockdown()
	f.tracefs = d.checkTracefs(f.root)
	d.checkKprobes(f.tracefs, f.version)
	d.checkTracepoints(f.tracefs)
	f.buffer, f.ring = d.checkBuffers(f.root)
	f.attach = d.checkAttachModes(f.root, f.tracefs)
	d.checkMemlock(f.version)
	d.checkRun(f.root, f.tracefs)
	d.checkInfo(f.version)
	if opts.Selftest && f.root && f.attach != "" {
		f.self = d.selftest(opts.Exe, f.tracefs)
	} else if opts.Selftest {
		d.add("selftest", Skip, mSelftestSkip.in(d.lang, mSelftestNeeds.in(d.lang)), "")
	}
	d.summarize(f)
	return d.report
}

// doctor writes the report, asking the kernel through kernel.
type doctor struct {
	lang   string
	report *Report
	kernel Kernel
}

// facts are what checks found that later checks and the summary use.
type facts struct {
	root    bool
	version kernel.Version
	tracefs string // "" when not mounted
	buffer  string // the buffer open uses by default
	ring    bool   // ring buffer supported
	attach  string // what open would use
	self    selfResult
}

// selfResult is what the live self-test found.
type selfResult struct {
	ran, ok bool
	// printkBusy names who held trace_pipe when printk's self-test was
	// skipped for it ("" when printk was checked, or not tried).
	printkBusy string
}

func (d *doctor) add(name string, s Status, detail, hint string) {
	d.report.add(Check{Name: name, Status: s, Detail: detail, Hint: hint})
}

func (d *doctor) checkKernel() kernel.Version {
	release, v, err := kernel.Release()
	if err != nil {
		d.add("kernel", Fail, err.Error(), "")
		return v
	}
	if !v.AtLeast(5, 8) {
		d.add("kernel", Warn, mKernelOld.in(d.lang, release), mKernelHint.in(d.lang))
		return v
	}
	d.add("kernel", OK, mKernel.in(d.lang, release), "")
	return v
}

func (d *doctor) checkBTF() {
	if kernel.HasBTF() {
		d.add("btf", OK, mBTF.in(d.lang, kernel.BTFPath), "")
		return
	}
	d.add("btf", Fail, mNoBTF.in(d.lang, kernel.BTFPath), mNoBTFHint.in(d.lang))
}

func (d *doctor) checkPrivileges(root bool) {
	switch {
	case errors.Is(kernel.CheckPrivileges(), kernel.ErrSeccompRefusesBPF):
		d.add("privileges", Fail, mSeccomp.in(d.lang), mSeccompHint.in(d.lang))
	case os.Geteuid() == 0 && root:
		d.add("privileges", OK, mRoot.in(d.lang), "")
	case os.Geteuid() == 0:
		mask, _ := kernel.EffectiveCaps()
		d.add("privileges", Fail, mRootNoCaps.in(d.lang, strings.Join(kernel.MissingCaps(mask), ", ")), mRootNoCapsHint.in(d.lang))
	case root:
		mask, _ := kernel.EffectiveCaps()
		if missing := kernel.MissingCaps(mask); len(missing) > 0 {
			// Enough to load BPF, not to read tracefs: tracepoints and printk fail.
			d.add("privileges", Warn, mCapsNoTracefs.in(d.lang, strings.Join(missing, ", ")), mCapsNoTracefsHint.in(d.lang))
			return
		}
		d.add("privileges", OK, mCaps.in(d.lang), "")
	default:
		mask, _ := kernel.EffectiveCaps()
		missing := strings.Join(kernel.MissingCaps(mask), ", ")
		d.add("privileges", Fail, mNoCaps.in(d.lang, missing), mNoCapsHint.in(d.lang))
	}
}

func (d *doctor) checkUnprivilegedBPF() {
	value := readTrimmed("/proc/sys/kernel/unprivileged_bpf_disabled")
	if value == "" {
		return
	}
	meaning := mUnprivOn.in(d.lang)
	if value == "0" {
		meaning = mUnprivOff.in(d.lang)
	}
	d.add("unprivileged_bpf", Info, mUnpriv.in(d.lang, value, meaning), "")
}

func (d *doctor) checkLockdown() {
	raw := readTrimmed("/sys/kernel/security/lockdown") // "[none] integrity confidentiality"
	if raw == "" {
		d.add("lockdown", Info, mLockdownNone.in(d.lang), "")
		return
	}
	mode := raw
	if i, j := strings.IndexByte(raw, '['), strings.IndexByte(raw, ']'); i >= 0 && j > i {
		mode = raw[i+1 : j]
	}
	if mode == "confidentiality" {
		d.add("lockdown", Fail, mLockdownBad.in(d.lang, mode), mLockdownHint.in(d.lang))
		return
	}
	d.add("lockdown", OK, mLockdown.in(d.lang, mode), "")
}

// checkTracefs returns where tracefs is ("" when not mounted).
func (d *doctor) checkTracefs(root bool) string {
	dir, err := tracefs.Find()
	if err == nil {
		d.add("tracefs", OK, mTracefs.in(d.lang, dir), "")
	} else if !root {
		d.add("tracefs", Warn, mNoTracefs.in(d.lang), mTracefsHint.in(d.lang))
	} else if dir, err = tracefs.Mount(); err == nil {
		// The commands mount it when they start: doing the same is not a problem to report.
		d.add("tracefs", OK, mTracefsMounted.in(d.lang, dir), "")
	} else {
		d.add("tracefs", Warn, mTracefsMountFailed.in(d.lang, err), mTracefsHint.in(d.lang))
		dir = ""
	}
	if dir == "" {
		return ""
	}
	if on := readTrimmed(filepath.Join(dir, "tracing_on")); on == "0" {
		d.add("tracing_on", Warn, mTracingOff.in(d.lang), mTracingHint.in(d.lang, dir))
	} else if on == "1" {
		d.add("tracing_on", OK, mTracingOn.in(d.lang), "")
	}
	return dir
}

func (d *doctor) checkKprobes(tracefsDir string, version kernel.Version) {
	if !kernel.HasKprobes(tracefsDir) {
		d.add("kprobes", Warn, mNoKprobe.in(d.lang), mKprobeHint.in(d.lang))
		return
	}
	sym, err := kernel.ResolveOpenFunc(version)
	if err != nil {
		d.add("kprobes", Warn, mKprobe.in(d.lang, err.Error()), mSymHint.in(d.lang))
		return
	}
	what := sym.Name + " can be probed"
	if sym.Note != "" {
		what += " (" + sym.Note + ")"
	}
	d.add("kprobes", OK, mKprobe.in(d.lang, what), "")
}

func (d *doctor) checkTracepoints(tracefsDir string) {
	if tracefsDir == "" {
		d.add("syscall_tracepoints", Skip, mSelftestSkip.in(d.lang, "tracefs not mounted"), "")
		return
	}
	entries, err := os.ReadDir(filepath.Join(tracefsDir, "events", "syscalls"))
	if errors.Is(err, os.ErrPermission) {
		d.add("syscall_tracepoints", Skip, tracefs.AccessError(filepath.Join(tracefsDir, "events", "syscalls"), err).Error(), mCapsNoTracefsHint.in(d.lang))
		return
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if name == "sys_enter_creat" || strings.HasPrefix(name, "sys_enter_open") && !strings.Contains(name, "_by_") && !strings.Contains(name, "tree") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		// Only a warning: kprobe or fentry may do without them (attach_* say).
		d.add("syscall_tracepoints", Warn, mNoTracepoint.in(d.lang), mTpHint.in(d.lang))
		return
	}
	d.add("syscall_tracepoints", OK, mTracepoints.in(d.lang, strings.Join(names, ", ")), "")
}

// checkBuffers returns the buffer open uses by default, and whether the
// ring buffer works.
func (d *doctor) checkBuffers(root bool) (buffer string, ring bool) {
	if !root {
		d.add("buffers", Skip, mNeedRoot.in(d.lang, "perf event array, ring buffer"), mNoCapsHint.in(d.lang))
		return "", false
	}
	for i, b := range d.kernel.Buffers() {
		name := b.Kind + "_buffer"
		switch {
		case b.OK:
			d.add(name, OK, mBuffer.in(d.lang), "")
			ring = ring || i > 0
		case i > 0: // another kind than the default: open does without it
			d.add(name, Warn, mNoBuffer.in(d.lang), mRingHint.in(d.lang))
		default:
			detail := mNoBuffer.in(d.lang)
			if b.Err != nil {
				detail += ": " + b.Err.Error()
			}
			d.add(name, Fail, detail, "")
		}
		if i == 0 {
			buffer = b.Kind
		}
	}
	return buffer, ring
}

// checkAttachModes loads `open`'s own object with each mode, exactly as the
// command's fallback chain would, and returns the first that works.
func (d *doctor) checkAttachModes(root bool, tracefsDir string) string {
	if !root {
		d.add("attach", Skip, mNeedRoot.in(d.lang, "kprobe, fentry, tracepoint"), mNoCapsHint.in(d.lang))
		return ""
	}
	tried := d.kernel.AttachOpen(tracefsDir)
	for _, c := range judgeAttach(tried, d.lang) {
		d.add(c.Name, c.Status, c.Detail, c.Hint)
	}
	for _, a := range tried {
		if a.Err == nil {
			return a.Mode
		}
	}
	return ""
}

// Attempt is one way of attaching open's program, tried for real.
type Attempt struct {
	Mode  string // the way's label: kprobe, fentry, tracepoint
	Where string // what attached, when Err is nil
	Err   error
}

// judgeAttach turns the modes tried, in the chain's order, into checks that
// follow what auto does: a mode that fails is only a warning while another
// one works (auto uses that one), and the hint names the real cause.
func judgeAttach(tried []Attempt, lang string) []Check {
	var used string // the mode auto picks
	for _, a := range tried {
		if a.Err == nil {
			used = a.Mode
			break
		}
	}
	var checks []Check
	for _, a := range tried {
		name := "attach_" + a.Mode
		if a.Err == nil {
			checks = append(checks, Check{Name: name, Status: OK, Detail: mLoaded.in(lang, attachWhere(lang, a.Where))})
			continue
		}
		c := Check{Name: name, Status: Warn, Detail: mNotLoaded.in(lang, attachReason(lang, errorsUnwrapped(a.Err)))}
		switch {
		case used != "":
			c.Hint = mAutoUses.in(lang, attachMode(lang, used))
		case a.Mode == "tracepoint":
			c.Status = Fail
			if errors.Is(a.Err, tracefs.ErrNoAccess) {
				c.Hint = mCapsNoTracefsHint.in(lang) // a capability is missing, not a kernel option
			} else if strings.Contains(a.Err.Error(), "none of the tracepoints") {
				c.Hint = mTpHint.in(lang)
			}
		case a.Mode == "kprobe":
			c.Hint = mSymHint.in(lang)
		default:
			c.Hint = mFentryHint.in(lang)
		}
		checks = append(checks, c)
	}
	return checks
}

func (d *doctor) checkMemlock(version kernel.Version) {
	if version.AtLeast(5, 11) {
		return // memory cgroups account BPF memory: the limit no longer matters
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
		return
	}
	value := fmt.Sprintf("%d KiB", lim.Cur/1024)
	if lim.Cur == unix.RLIM_INFINITY {
		value = "unlimited"
		d.add("memlock", OK, mMemlock.in(d.lang, value), "")
		return
	}
	d.add("memlock", Warn, mMemlock.in(d.lang, value), mMemlockHint.in(d.lang))
}

// checkInfo adds facts that explain what the learner will see.
func (d *doctor) checkInfo(version kernel.Version) {
	if v := readTrimmed("/proc/sys/kernel/perf_event_paranoid"); v != "" {
		d.add("perf_event_paranoid", Info, mParanoid.in(d.lang, v), "")
	}
	if _, child := pidns.Current(); child {
		kind := pidns.Container()
		if kind == "" {
			kind = "?"
		}
		if version.AtLeast(5, 7) {
			d.add("pid_namespace", Info, mPidNS.in(d.lang, kind), "")
		} else {
			d.add("pid_namespace", Warn, mPidNSOld.in(d.lang, kind, version.String()), "")
		}
	} else {
		d.add("pid_namespace", Info, mNoPidNS.in(d.lang), "")
	}
	for _, tool := range []string{"clang", "bpftool"} {
		if path, err := exec.LookPath(tool); err == nil {
			d.add(tool, Info, mTool.in(d.lang, path), "")
		} else {
			d.add(tool, Info, mNoTool.in(d.lang, tool), "")
		}
	}
}

func (d *doctor) summarize(f facts) {
	r := d.report
	switch {
	case !f.root:
		r.Summary = mSummaryNoRoot.in(d.lang)
	case r.Failed() || f.attach == "" || (f.self.ran && !f.self.ok):
		r.Summary = mSummaryNo.in(d.lang)
	default:
		r.Ready = true
		r.Attach, r.Buffer = f.attach, f.buffer
		ring := mUnavailable.in(d.lang)
		if f.ring {
			ring = mAvailable.in(d.lang)
		}
		r.Summary = mSummaryOK.in(d.lang, attachMode(d.lang, f.attach), f.buffer, ring, d.printkVerdict(f.self))
	}
}

// printkVerdict says what the self-test found of printk, and claims that
// it works only if its line was read.
func (d *doctor) printkVerdict(self selfResult) string {
	switch {
	case !self.ran:
		return mPrintkNotRun.in(d.lang)
	case self.printkBusy != "":
		return mPrintkBusy.in(d.lang, self.printkBusy)
	}
	return mPrintkWorks.in(d.lang)
}

func readTrimmed(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// errorsUnwrapped drops the "--attach MODE: " prefix that probe.Load adds.
func errorsUnwrapped(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}
