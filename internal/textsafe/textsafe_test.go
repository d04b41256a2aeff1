package textsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/etc/hosts", "/etc/hosts"},
		{"café 日本", "café 日本"},
		{"tab\tnew\nline\rcr", `tab\tnew\nline\rcr`},
		{"\x1b]0;owned\x07", `\x1b]0;owned\x07`},
		{"del\x7f", `del\x7f`},
		{`back\slash`, `back\\slash`},
		{`\x41`, `\\x41`}, // a name that looks like an escape is not one
		{"bad\xffutf8", `bad\xffutf8`},
		{"cut\xe6\x97", `cut\xe6\x97`},           // a truncated multi-byte character
		{"c1\u0085\u009b", `c1\xc2\x85\xc2\x9b`}, // NEL and CSI as UTF-8
		{"bidi\u202eevil", `bidi\xe2\x80\xaeevil`},
		{"zero\x00byte", `zero\x00byte`},
		{"/nonexistent\n0.000201234        sshd             1      /etc/shadow",
			`/nonexistent\n0.000201234        sshd             1      /etc/shadow`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := NeedsEscape(tt.in); got != (tt.in != tt.want) {
			t.Errorf("NeedsEscape(%q) = %v", tt.in, got)
		}
	}
}

func TestUnescapeRejectsWhatEscapeNeverWrites(t *testing.T) {
	for _, s := range []string{`\`, `a\q`, `\x`, `\x4`, `\xzz`, `end\`} {
		if _, err := Unescape(s); err == nil {
			t.Errorf("Unescape(%q) succeeded", s)
		}
	}
}

// checkSafe: the escaped text is valid UTF-8 with nothing a terminal
// interprets, and it decodes back to the original bytes.
func checkSafe(t *testing.T, s string) {
	t.Helper()
	e := Escape(s)
	if !utf8.ValidString(e) {
		t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, e)
	}
	for _, r := range e {
		if !unicode.IsPrint(r) && r != ' ' {
			t.Fatalf("Escape(%q) = %q keeps %U", s, e, r)
		}
	}
	if strings.ContainsAny(e, "\n\r\x1b") {
		t.Fatalf("Escape(%q) = %q keeps a control byte", s, e)
	}
	back, err := Unescape(e)
	if err != nil || back != s {
		t.Fatalf("Unescape(Escape(%q)) = %q, %v", s, back, err)
	}
	if got := string(Append([]byte("prefix"), s)); got != "prefix"+e {
		t.Fatalf("Append differs from Escape: %q", got)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "a\nb", "\x1b[2J", `\\x00`, "\xff\xfe", "\u0085", "日本\u202e", "\xe6\x97"} {
		f.Add(s)
	}
	f.Fuzz(checkSafe)
}

func TestEveryByteAndRuneIsSafe(t *testing.T) {
	for c := 0; c < 256; c++ {
		checkSafe(t, string([]byte{'a', byte(c), 'z'}))
	}
	for r := rune(0x80); r < 0x3000; r++ {
		checkSafe(t, "a"+string(r)+"z")
	}
}

// FuzzMessage: a message keeps its lines and tabs, and nothing else that
// moves the cursor or talks to the terminal reaches it.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{"", "a.bpf.c:3:1: error: x\n  int \\x;\n", "\x1b]0;title\x07", "\r\x1b[2J", "\xff\u202e", "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Message(s)
		if !utf8.ValidString(m) {
			t.Fatalf("Message(%q) = %q is not valid UTF-8", s, m)
		}
		for _, r := range m {
			if !unicode.IsPrint(r) && r != ' ' && r != '\n' && r != '\t' {
				t.Fatalf("Message(%q) = %q keeps %U", s, m, r)
			}
		}
		if strings.Count(m, "\n") != strings.Count(s, "\n") {
			t.Fatalf("Message(%q) = %q changed the lines", s, m)
		}
		if !NeedsEscape(s) && m != s {
			t.Fatalf("Message(%q) = %q changed plain text", s, m)
		}
	})
}

// TestAppendJSON: the JSON quoter of every --json; text that is not UTF-8
// is escaped, not replaced: nothing is lost.
func TestAppendJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"quote\" backslash\\", `"quote\" backslash\\"`},
		{"tab\tnewline\n", `"tab\tnewline\n"`},
		{"\x01ctl", `"\u0001ctl"`},
		{"caf\xc3\xa9", `"café"`},
		{"bad\xffutf8", `"bad\\xffutf8"`},
	}
	for _, tt := range tests {
		got := string(AppendJSON(nil, tt.in))
		if got != tt.want {
			t.Errorf("AppendJSON(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%s is not valid JSON: %v", got, err)
		}
	}
}

// FuzzAppendJSON: any bytes give one valid JSON string, which reads back
// as the text itself, or as its escaped form when it is not UTF-8.
func FuzzAppendJSON(f *testing.F) {
	f.Add("plain")
	f.Add("bad\xffutf8\n\x1b[31m")
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendJSON(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q -> %s: %v", s, out, err)
		}
		want := s
		if !utf8.ValidString(s) {
			want = Escape(s)
		}
		if back != want {
			t.Fatalf("%q -> %s -> %q", s, out, back)
		}
	})
}
