package output

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// TestFieldsExplainedInChinese: the tutorial's line, explained with
// --lang zh, every flag included, nothing left in English.
func TestFieldsExplainedInChinese(t *testing.T) {
	var out bytes.Buffer
	p := NewPrintkPrinter(&out, PrintkFields, "zh")
	for _, raw := range append(tutorialLines, `           <idle>-0       [001] dNh2. 12.345678: bpf_trace_printk: Hello, World!`) {
		if err := p.Print(tracepipe.Parse(raw)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"    task       <...>              没有记录任务名（内核显示为 <...>）\n",
		"    pid        1583               内核运行的线程 id（内核称之为 pid）\n",
		"    flags      d...1              中断关闭，没有待处理的重新调度，进程上下文，抢占深度 0，禁止迁移深度 1\n",
		"    function   bpf_trace_printk   事件：由辅助函数 bpf_trace_printk 写入\n",
		"    message    Hello, World!      程序打印的内容\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// Each explanation (after the value column) must be Chinese.
	for _, line := range strings.Split(got, "\n") {
		if !strings.HasPrefix(line, "    ") || len(line) < 33 {
			continue
		}
		for _, english := range []string{"irq", "reschedule", "context", "depth", "the ", "written"} {
			if strings.Contains(line[33:], english) {
				t.Errorf("English left in %q", line)
			}
		}
	}
}

// TestEveryFlagPhraseHasChinese: whatever character a flags field of either
// layout (4, 5 or 7 characters) holds at any position, its explanation has
// a Chinese text: only the kernel's own names (TIF_NEED_RESCHED, NMI, ...)
// stay in Latin letters.
func TestEveryFlagPhraseHasChinese(t *testing.T) {
	kernelNames := regexp.MustCompile(`TIF_NEED_RESCHED_LAZY|TIF_NEED_RESCHED|PREEMPT_NEED_RESCHED|NMI|'.'`)
	word := regexp.MustCompile(`[A-Za-z]{2,}`)
	chars := ".dDbXNnpLlBHhZzs0123456789aefx?"
	for _, n := range []int{4, 5, 7} {
		for pos := 0; pos < n; pos++ {
			for _, c := range chars {
				flags := []rune(strings.Repeat(".", n))
				flags[pos] = c
				for _, en := range tracepipe.ExplainFlags(string(flags)) {
					zh := chinese.flag(en)
					if w := word.FindString(kernelNames.ReplaceAllString(zh, "")); w != "" {
						t.Errorf("flags %q: %q is %q in Chinese, %q left in English", string(flags), en, zh, w)
					}
				}
			}
		}
	}
}
