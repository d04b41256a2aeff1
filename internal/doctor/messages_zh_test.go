package doctor

import (
	"errors"
	"testing"
)

// TestAttachDetailsInChinese: with --lang zh the attach checks' details,
// which probe.Load gives in English, are shown in Chinese.
func TestAttachDetailsInChinese(t *testing.T) {
	for _, tt := range []struct{ en, zh string }{
		{"kernel built without CONFIG_KPROBES", "内核编译时未开启 CONFIG_KPROBES"},
		{"kernel refused to load open_perf.bpf.o: operation not permitted (EPERM)", "内核拒绝加载 open_perf.bpf.o：不允许的操作 (EPERM)"},
		{"do_sys_openat2 is not in /proc/kallsyms: this kernel inlined or renamed it", "do_sys_openat2 不在 /proc/kallsyms 中：这个内核把它内联或改名了"},
		{"something new", "something new"},
	} {
		if got := attachReason("zh", errors.New(tt.en)); got != tt.zh {
			t.Errorf("attachReason(zh, %q) = %q, want %q", tt.en, got, tt.zh)
		}
		if got := attachReason("en", errors.New(tt.en)); got != tt.en {
			t.Errorf("attachReason(en, %q) = %q, want it unchanged", tt.en, got)
		}
	}
	if got, want := attachWhere("zh", "tracepoints syscalls:sys_enter_open, syscalls:sys_enter_openat"), "跟踪点 syscalls:sys_enter_open, syscalls:sys_enter_openat"; got != want {
		t.Errorf("attachWhere = %q, want %q", got, want)
	}
	if got, want := mSummaryOK.in("zh", attachMode("zh", "tracepoint"), "perf", mAvailable.in("zh"), mPrintkWorks.in("zh")), "就绪：`open` 将用跟踪点挂接，用性能事件映射（--buffer perf）发送事件（环形缓冲区可用）；printk 可用"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got, want := attachMode("zh", "kprobe"), " kprobe "; got != want {
		t.Errorf("attachMode(zh, kprobe) = %q, want %q", got, want)
	}
}

// What the loader says ("tracepoint on syscalls:...") is said wholly in
// Chinese: no "跟踪点 on" half-translation.
func TestAttachWhereInChinese(t *testing.T) {
	for where, want := range map[string]string{
		"tracepoint on syscalls:sys_enter_openat, syscalls:sys_enter_openat2": "跟踪点 syscalls:sys_enter_openat, syscalls:sys_enter_openat2",
		"kprobe on do_sys_openat2":            "kprobe do_sys_openat2",
		"tracepoints syscalls:sys_enter_open": "跟踪点 syscalls:sys_enter_open",
	} {
		if got := attachWhere("zh", where); got != want {
			t.Errorf("attachWhere(zh, %q) = %q, want %q", where, got, want)
		}
	}
}
