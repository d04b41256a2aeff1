package doctor

import (
	"fmt"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/lang"
)

// msg is one message in English and Chinese (the tutorial's readers are
// Chinese-speaking). Both take the same fmt arguments.
type msg struct{ en, zh string }

// Lang picks the language: "zh" or "en" (see lang.Pick).
func Lang(flag string) string { return lang.Pick(flag) }

func (m msg) in(lang string, args ...any) string {
	format := m.en
	if lang == "zh" {
		format = m.zh
	}
	return fmt.Sprintf(format, args...)
}

var (
	mKernel             = msg{"Linux %s", "Linux %s"}
	mKernelOld          = msg{"Linux %s: older than 5.8, no ring buffer (use --buffer perf)", "Linux %s：早于 5.8，没有环形缓冲区（请用 --buffer perf）"}
	mKernelHint         = msg{"use a 5.8+ kernel for every feature", "换用 5.8 及以上内核可使用全部功能"}
	mBTF                = msg{"%s present", "%s 存在"}
	mNoBTF              = msg{"%s missing: CO-RE programs cannot load", "%s 不存在：CO-RE 程序无法加载"}
	mNoBTFHint          = msg{"use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian/Ubuntu/Fedora kernels are)", "换用以 CONFIG_DEBUG_INFO_BTF=y 编译的内核（Debian/Ubuntu/Fedora 的发行版内核都是）"}
	mRoot               = msg{"running as root", "以 root 运行"}
	mCaps               = msg{"not root; has the capabilities BPF tracing needs", "不是 root，但具备 BPF 跟踪所需的 capability"}
	mNoCaps             = msg{"not root; missing %s", "不是 root；缺少 %s"}
	mNoCapsHint         = msg{"run with sudo", "请用 sudo 运行"}
	mRootNoCaps         = msg{"root, but missing %s (a container started without --privileged?)", "是 root，但缺少 %s（容器启动时没有加 --privileged？）"}
	mSeccomp            = msg{"a seccomp filter refuses the bpf() system call (a container's default profile)", "seccomp 过滤器拒绝了 bpf() 系统调用（容器的默认配置）"}
	mSeccompHint        = msg{"start the container with --privileged, or --security-opt seccomp=unconfined", "用 --privileged 或 --security-opt seccomp=unconfined 启动容器"}
	mRootNoCapsHint     = msg{"start the container with --privileged (podman or docker run --privileged)", "用 --privileged 启动容器（podman 或 docker run --privileged）"}
	mCapsNoTracefs      = msg{"not root; can load BPF but lacks %s, so tracefs (tracepoints, trace_pipe) cannot be read", "不是 root；可以加载 BPF，但缺少 %s，无法读取 tracefs（tracepoint、trace_pipe）"}
	mCapsNoTracefsHint  = msg{"add CAP_DAC_READ_SEARCH (e.g. setpriv --ambient-caps=+bpf,+perfmon,+dac_read_search), or run with sudo", "加上 CAP_DAC_READ_SEARCH（例如 setpriv --ambient-caps=+bpf,+perfmon,+dac_read_search），或用 sudo 运行"}
	mUnpriv             = msg{"kernel.unprivileged_bpf_disabled = %s (%s)", "kernel.unprivileged_bpf_disabled = %s（%s）"}
	mUnprivOn           = msg{"only privileged users may use bpf()", "只有特权用户能调用 bpf()"}
	mUnprivOff          = msg{"any user may use bpf(), but tracing still needs privileges", "任何用户都能调用 bpf()，但跟踪仍需特权"}
	mLockdown           = msg{"lockdown: %s", "lockdown：%s"}
	mLockdownNone       = msg{"not supported by this kernel (no lockdown)", "内核不支持 lockdown（未启用）"}
	mLockdownBad        = msg{"lockdown=%s forbids bpf_probe_read and bpf_trace_printk", "lockdown=%s 禁止 bpf_probe_read 和 bpf_trace_printk"}
	mLockdownHint       = msg{"boot with lockdown=none or disable Secure Boot's lockdown for this lab", "本实验请以 lockdown=none 启动，或关闭 Secure Boot 的 lockdown"}
	mTracefs            = msg{"mounted at %s", "已挂载于 %s"}
	mNoTracefs          = msg{"not mounted; ebpf-hello mounts it at /sys/kernel/tracing when run as root", "未挂载；以 root 运行时 ebpf-hello 会自动挂载到 /sys/kernel/tracing"}
	mTracefsMounted     = msg{"was not mounted; mounted it at %s, as the commands do", "原先未挂载；已像各命令一样挂载到 %s"}
	mTracefsMountFailed = msg{"not mounted, and mounting it failed: %v", "未挂载，且挂载失败：%v"}
	mTracefsHint        = msg{"or mount it yourself: mount -t tracefs nodev /sys/kernel/tracing", "也可以手动挂载：mount -t tracefs nodev /sys/kernel/tracing"}
	mTracingOn          = msg{"tracing_on = 1", "tracing_on = 1"}
	mTracingOff         = msg{"tracing_on = 0: printk lines will not reach trace_pipe", "tracing_on = 0：printk 的输出不会出现在 trace_pipe"}
	mTracingHint        = msg{"echo 1 > %s/tracing_on", "执行 echo 1 > %s/tracing_on"}
	mKprobe             = msg{"kprobes available; %s", "支持 kprobe；%s"}
	mNoKprobe           = msg{"kernel built without CONFIG_KPROBES", "内核编译时未开启 CONFIG_KPROBES"}
	mKprobeHint         = msg{"ebpf-hello falls back to fentry or tracepoints; the tutorial's kprobe needs a kernel with CONFIG_KPROBES=y", "ebpf-hello 会改用 fentry 或跟踪点；教程的 kprobe 需要 CONFIG_KPROBES=y 的内核"}
	mSymHint            = msg{"ebpf-hello falls back to fentry or tracepoints", "ebpf-hello 会改用 fentry 或跟踪点"}
	mLoaded             = msg{"loaded and attached (%s)", "加载并挂接成功（%s）"}
	mNotLoaded          = msg{"%v", "%v"}
	mFentryHint         = msg{"ebpf-hello falls back to tracepoints", "ebpf-hello 会改用跟踪点"}
	mAutoUses           = msg{"not needed here: auto uses %s", "此处无需处理：auto 会改用%s"}
	mNeedRoot           = msg{"needs root to try: %s", "需要 root 才能检查：%s"}
	mTracepoints        = msg{"%s", "%s"}
	mNoTracepoint       = msg{"no sys_enter_open* tracepoints (CONFIG_FTRACE_SYSCALLS off?)", "没有 sys_enter_open* 跟踪点（CONFIG_FTRACE_SYSCALLS 未开启？）"}
	mTpHint             = msg{"tracepoints are the last fallback: use a kernel with CONFIG_FTRACE_SYSCALLS=y", "跟踪点是最后的退路：请用开启 CONFIG_FTRACE_SYSCALLS=y 的内核"}
	mBuffer             = msg{"supported", "支持"}
	mNoBuffer           = msg{"not supported by this kernel", "此内核不支持"}
	mRingHint           = msg{"use --buffer perf (the default)", "请用 --buffer perf（默认）"}
	mMemlock            = msg{"RLIMIT_MEMLOCK %s (kernel < 5.11 charges BPF memory to it)", "RLIMIT_MEMLOCK %s（5.11 之前的内核用它计算 BPF 内存）"}
	mMemlockHint        = msg{"ulimit -l unlimited before running", "运行前执行 ulimit -l unlimited"}
	mParanoid           = msg{"perf_event_paranoid = %s (root is not affected)", "perf_event_paranoid = %s（对 root 无影响）"}
	mPidNS              = msg{"inside a PID namespace (container: %s): open and exec show this namespace's PIDs, as echo $$ and ps do here, and --pid takes them (--json adds the host's as host_pid); printk's trace_pipe lines and programs given to run show the host's", "运行在 PID 命名空间（容器：%s）中：open 和 exec 显示本命名空间的 PID（与这里的 echo $$、ps 一致），--pid 也用它（--json 另给出宿主机的 host_pid）；printk 的 trace_pipe 行和 run 运行的程序显示的是宿主机的 PID"}
	mPidNSOld           = msg{"inside a PID namespace (container: %s): kernel %s cannot number processes in it (5.7 can), so every PID shown is the host's, not those seen here (echo $$, ps)", "运行在 PID 命名空间（容器：%s）中：内核 %s 无法按该命名空间编号进程（5.7 起可以），所以显示的 PID 都是宿主机的，与这里看到的（echo $$、ps）不同"}
	mNoPidNS            = msg{"host PID namespace", "宿主机的 PID 命名空间"}
	mTool               = msg{"%s found (only needed to build, not to run)", "已找到 %s（只在编译时需要，运行时不需要）"}
	mNoTool             = msg{"%s not found (only needed to build, not to run)", "未找到 %s（只在编译时需要，运行时不需要）"}
	mSelftestOK         = msg{"%s event arrived: pid %d, tid %d, %s", "%s 事件已收到：PID %d，TID %d，%s"}
	mPrintkOK           = msg{"\"Hello, World!\" arrived on trace_pipe (%s)", "trace_pipe 收到 “Hello, World!”（%s）"}
	mSelftestFail       = msg{"%v", "%v"}
	mPipeBusy           = msg{"trace_pipe is being read by %s: printk's self-test skipped (a line goes to one reader only, and recent kernels refuse a second reader)", "trace_pipe 正被 %s 读取：已跳过 printk 自检（每行只会被一个读者读到，较新的内核不允许第二个读者）"}
	mAnotherProcess     = msg{"another process", "另一个进程"}
	mPipeBusyHint       = msg{"run doctor again once that reader stops, to check printk", "该读者停止后再运行 doctor，以检查 printk"}
	mSelftestHint       = msg{"run the command by hand with --verbose to see libbpf's messages", "加 --verbose 手动运行该命令，查看 libbpf 的信息"}
	mSelftestSkip       = msg{"skipped: %s", "已跳过：%s"}
	mSelftestNeeds      = msg{"needs root and a working attach mode", "需要 root 和一种可用的挂接方式"}
	mSummaryOK          = msg{"ready: `open` would attach with %s and use the %s buffer (ring buffer %s); %s", "就绪：`open` 将用%s挂接，用性能事件映射（--buffer %s）发送事件（环形缓冲区%s）；%s"}
	mPrintkWorks        = msg{"printk works", "printk 可用"}
	mPrintkNotRun       = msg{"printk not checked (--selftest=false)", "未检查 printk（--selftest=false）"}
	mPrintkBusy         = msg{"printk not checked: %s holds trace_pipe open (each line reaches one reader only)", "未检查 printk：%s 占用着 trace_pipe（每行只会被一个读者读到）"}
	mSummaryNo          = msg{"not ready: fix the failed checks above", "未就绪：请先修复上面失败的检查项"}
	mSummaryNoRoot      = msg{"cannot tell without root: run sudo ebpf-hello doctor", "没有 root 无法判断：请运行 sudo ebpf-hello doctor"}
	mAvailable          = msg{"available", "可用"}
	mUnavailable        = msg{"unavailable", "不可用"}
)

// Chinese for the attach checks' details, which come from probe.Load in
// English: its reasons for skipping a way to attach, and where it attached.

// attachReasons: the start of an English reason and its Chinese. What
// follows the start (a file name, an errno) is kept.
var attachReasons = []struct{ en, zh string }{
	{"kernel built without CONFIG_KPROBES", "内核编译时未开启 CONFIG_KPROBES"},
	{"kernel refused to load ", "内核拒绝加载 "},
}

// errnoTexts: errno messages that reasons end with.
var errnoTexts = []struct{ en, zh string }{
	{"operation not permitted", "不允许的操作"},
	{"permission denied", "权限不足"},
	{"invalid argument", "参数无效"},
	{"no such file or directory", "没有这个文件或目录"},
	{"operation not supported", "不支持的操作"},
	{"argument list too long", "参数列表过长"},
}

// phraseTexts: other phrases of probe.Load's reasons, wherever they are:
// fentry/fexit refused with ENOTSUPP (arm64 before 6.4).
var phraseTexts = []struct{ en, zh string }{
	{"this kernel cannot attach fentry/fexit to kernel functions (ENOTSUPP)", "这个内核不能把 fentry/fexit 挂接到内核函数上 (ENOTSUPP)"},
	{": arm64 kernels can from 6.4 (ftrace direct calls)", "：arm64 内核从 6.4 起才可以（ftrace direct calls）"},
}

// attachReason is why a way to attach was skipped, in lang. A reason with
// no translation stays in English.
func attachReason(lang string, err error) string {
	reason := err.Error()
	if lang != "zh" {
		return reason
	}
	for _, r := range attachReasons {
		if rest, ok := strings.CutPrefix(reason, r.en); ok {
			reason = r.zh + strings.Replace(rest, ": ", "：", 1)
			break
		}
	}
	if sym, ok := strings.CutSuffix(reason, " is not in /proc/kallsyms: this kernel inlined or renamed it"); ok {
		reason = sym + " 不在 /proc/kallsyms 中：这个内核把它内联或改名了"
	}
	for _, e := range errnoTexts {
		reason = strings.Replace(reason, e.en, e.zh, 1)
	}
	for _, p := range phraseTexts {
		reason = strings.Replace(reason, p.en, p.zh, 1)
	}
	return reason
}

// attachMode is an attach mode's name in lang: tracepoint is 跟踪点, and
// a Latin name (kprobe, fentry) gets the spaces Chinese text puts around it.
func attachMode(lang, mode string) string {
	switch {
	case lang != "zh":
		return mode
	case mode == "tracepoint":
		return "跟踪点"
	}
	return " " + mode + " "
}

// attachWhere is probe.Load's "where it attached" in lang:
// "tracepoints syscalls:sys_enter_open, ..." becomes "跟踪点 syscalls:...".
func attachWhere(lang, where string) string {
	if lang != "zh" {
		return where
	}
	// "KIND on TARGETS" (probe's describe) or "tracepoints TARGETS".
	if kind, rest, ok := strings.Cut(where, " on "); ok && !strings.Contains(kind, " ") {
		return strings.TrimSpace(attachMode(lang, kind)) + " " + rest
	}
	for _, en := range []string{"tracepoints ", "tracepoint "} {
		if rest, ok := strings.CutPrefix(where, en); ok {
			return "跟踪点 " + rest
		}
	}
	return where
}
