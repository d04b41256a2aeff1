package doctor

import (
	"bytes"
	"strings"
	"testing"
)

func TestLangFollowsFlagThenLocale(t *testing.T) {
	tests := []struct {
		flag, lcAll, lang string
		want              string
	}{
		{"zh", "", "en_US.UTF-8", "zh"},
		{"en", "", "zh_CN.UTF-8", "en"},
		{"", "", "zh_CN.UTF-8", "zh"},
		{"", "C", "zh_CN.UTF-8", "en"}, // LC_ALL wins over LANG
		{"", "", "", "en"},
	}
	for _, tt := range tests {
		t.Setenv("LC_ALL", tt.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tt.lang)
		if got := Lang(tt.flag); got != tt.want {
			t.Errorf("Lang(%q) with LC_ALL=%q LANG=%q = %q, want %q", tt.flag, tt.lcAll, tt.lang, got, tt.want)
		}
	}
}

func TestEveryMessageHasBothLanguages(t *testing.T) {
	for _, m := range []msg{mKernel, mBTF, mNoBTF, mNoCaps, mNoTracefs, mNoKprobe, mLoaded, mSummaryOK, mSummaryNo, mSummaryNoRoot, mPidNS, mSelftestOK, mPrintkOK,
		mPrintkWorks, mPrintkNotRun, mPrintkBusy, mPipeBusy, mPipeBusyHint, mAnotherProcess} {
		if m.en == "" || m.zh == "" || strings.Count(m.en, "%") != strings.Count(m.zh, "%") {
			t.Errorf("message %+v lacks a language or their arguments differ", m)
		}
	}
}

func TestReportText(t *testing.T) {
	r := &Report{Summary: "summary line"}
	r.add(Check{Name: "kprobes", Status: Warn, Detail: "kernel built without CONFIG_KPROBES", Hint: "falls back"})
	r.add(Check{Name: "btf", Status: OK, Detail: "present", Hint: "never shown for ok"})
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	want := "warn  kprobes                kernel built without CONFIG_KPROBES\n" +
		"                             → falls back\n" +
		"ok    btf                    present\n" +
		"summary line\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if r.Failed() {
		t.Error("Failed() with no failed check")
	}
}
