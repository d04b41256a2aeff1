package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// The programs under testdata/verifier are a learner's mistakes, each one
// the verifier refuses on this kernel. A line marked FAULT is where the
// verifier stops (several marks: any of them, as for a loop, where the
// verifier may give up anywhere in its body).
func verifierProgram(name string) string { return filepath.Join("testdata", "verifier", name) }

type verifierCase struct {
	file   string
	en, zh string // in the explanation's sentence
	noLine bool   // the verifier's log names no line for this one
}

var verifierCases = []verifierCase{
	{file: "null_map.bpf.c", en: "returns NULL when the key is not in the map", zh: "在键不存在时返回 NULL"},
	{file: "null_helper_arg.bpf.c", en: "returns NULL when the key is not in the map", zh: "在键不存在时返回 NULL"},
	{file: "null_ringbuf.bpf.c", en: "returns NULL when the ring buffer is full", zh: "在环形缓冲区满时返回 NULL"},
	{file: "loop_unbounded.bpf.c", en: "cannot prove this loop ends", zh: "无法证明这个循环会结束"},
	{file: "loop_too_large.bpf.c", en: "cannot prove this loop ends, or the program takes too many steps", zh: "检查这个程序要走的步数太多"},
	{file: "loop_infinite.bpf.c", en: "this loop never ends", zh: "这个循环永远不会结束"},
	{file: "stack_index.bpf.c", en: "local array on the stack may fall outside it", zh: "对栈上局部数组的访问可能越界"},
	{file: "map_index.bpf.c", en: "may fall outside the map value (64 bytes long)", zh: "可能超出映射值的范围（长 64 字节）"},
	{file: "kernel_pointer.bpf.c", en: "bpf_probe_read_kernel() or BPF_CORE_READ() for kernel memory", zh: "内核内存请用 bpf_probe_read_kernel() 或 BPF_CORE_READ()"},
	{file: "user_pointer.bpf.c", en: "bpf_probe_read_user() or bpf_probe_read_user_str() for user memory", zh: "用户空间内存请用 bpf_probe_read_user()"},
	{file: "helper_type.bpf.c", en: "bpf_redirect cannot be called from this type of BPF program", zh: "这种类型的 BPF 程序不能调用 bpf_redirect"},
	{file: "license.bpf.c", en: "bpf_trace_printk (bpf_printk) may only be called from a GPL-compatible program", zh: "只有与 GPL 兼容的程序才能调用 bpf_trace_printk (bpf_printk)"},
	{file: "wrong_arg.bpf.c", en: "argument 2 of bpf_map_update_elem must be a pointer to memory", zh: "bpf_map_update_elem 的第 2 个参数必须是指向内存的指针"},
	{file: "stack_combined.bpf.c", en: "over BPF's 512-byte limit", zh: "超过了 BPF 512 字节的上限", noLine: true},
	// BCC dialect: translated to libbpf C whose #line directives keep the learner's lines.
	{file: "bcc_null.c", en: "returns NULL when the key is not in the map", zh: "在键不存在时返回 NULL"},
}

// faultLines are the line numbers marked FAULT in a test program.
func faultLines(t *testing.T, path string) []int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var marked []int
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "FAULT") {
			marked = append(marked, i+1)
		}
	}
	return marked
}

// runInLocale runs ebpf-hello with LANG=lang and no other locale variable.
func runInLocale(t *testing.T, lang string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LC_ALL=") && !strings.HasPrefix(kv, "LC_MESSAGES=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG="+lang)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("%v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// logHasPlaces: Linux 6.8 and later give each source line's file and line
// in the verifier log; earlier ones only its text.
func logHasPlaces(t *testing.T) bool {
	t.Helper()
	_, v, err := kernel.Release()
	if err != nil {
		t.Fatal(err)
	}
	return v.AtLeast(6, 8)
}

// TestVerifierExplains: each mistake gets one sentence, in English and in
// Chinese, at the learner's file and line, before the verifier's last lines.
func TestVerifierExplains(t *testing.T) {
	testenv.RequireRoot(t)
	places := logHasPlaces(t)
	for _, c := range verifierCases {
		t.Run(c.file, func(t *testing.T) {
			path := verifierProgram(c.file)
			marked := faultLines(t, path)
			for _, lc := range []struct{ lang, want, heading string }{
				{"C.UTF-8", c.en, "the kernel's verifier rejected BPF program"},
				{"zh_CN.UTF-8", c.zh, "内核的验证器拒绝了 BPF 程序"},
			} {
				code, stderr := runInLocale(t, lc.lang, "run", path, "-n", "1")
				if code == 0 {
					t.Fatalf("LANG=%s: the verifier accepted %s:\n%s", lc.lang, c.file, stderr)
				}
				first, _, _ := strings.Cut(stderr, "\n")
				if !strings.HasPrefix(first, "ebpf-hello: error: ") || !strings.Contains(first, lc.want) {
					t.Errorf("LANG=%s: first line lacks %q:\n%s", lc.lang, lc.want, stderr)
				}
				if !strings.Contains(stderr, lc.heading) {
					t.Errorf("LANG=%s: no %q heading:\n%s", lc.lang, lc.heading, stderr)
				}
				if !places || c.noLine {
					continue
				}
				m := regexp.MustCompile(`^ebpf-hello: error: ` + regexp.QuoteMeta(c.file) + `:(\d+): `).FindStringSubmatch(first)
				if m == nil {
					t.Errorf("LANG=%s: the sentence is not at %s:LINE:\n%s", lc.lang, c.file, stderr)
					continue
				}
				if !containsLine(marked, m[1]) {
					t.Errorf("LANG=%s: at line %s, want one of %v:\n%s", lc.lang, m[1], marked, stderr)
				}
			}
		})
	}
}

func containsLine(lines []int, s string) bool {
	for _, n := range lines {
		if fmt.Sprint(n) == s {
			return true
		}
	}
	return false
}

// TestVerifierVerboseShowsWholeLog: with --verbose the whole log is on
// stderr (libbpf's messages), then the explanation and the last lines.
func TestVerifierVerboseShowsWholeLog(t *testing.T) {
	testenv.RequireRoot(t)
	code, stderr := runInLocale(t, "C.UTF-8", "--verbose", "run", verifierProgram("null_map.bpf.c"), "-n", "1")
	if code == 0 {
		t.Fatalf("the verifier accepted null_map.bpf.c:\n%s", stderr)
	}
	begin := strings.Index(stderr, "-- BEGIN PROG LOAD LOG --")
	explained := strings.Index(stderr, "ebpf-hello: error: ")
	if begin < 0 || explained < begin {
		t.Fatalf("no whole log before the error:\n%s", stderr)
	}
	// The log's first line (the program's entry state) is not among the last lines.
	if !regexp.MustCompile(`(?m)^0: R1=ctx\(`).MatchString(stderr[begin:explained]) {
		t.Errorf("the log's first line is missing:\n%s", stderr)
	}
	if !strings.Contains(stderr[explained:], "returns NULL when the key is not in the map") {
		t.Errorf("no explanation after the log:\n%s", stderr[explained:])
	}
}
