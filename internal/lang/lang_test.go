package lang

import "testing"

func TestPick(t *testing.T) {
	for _, c := range []struct{ flag, lcAll, lang, want string }{
		{"", "", "zh_CN.UTF-8", "zh"},
		{"", "C", "zh_CN.UTF-8", "en"}, // LC_ALL wins
		{"en", "", "zh_CN.UTF-8", "en"},
		{"zh", "", "", "zh"},
		{"", "", "", "en"},
	} {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		if got := Pick(c.flag); got != c.want {
			t.Errorf("Pick(%q) with LC_ALL=%q LANG=%q = %q, want %q", c.flag, c.lcAll, c.lang, got, c.want)
		}
	}
}
