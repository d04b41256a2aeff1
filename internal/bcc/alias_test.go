package bcc

import (
	"os"
	"strings"
	"testing"
)

// An alias of a tracepoint's user array, of a user pointer field and of a
// kernel pointer (a second declarator) is read as the direct use is: the
// verifier refuses plain dereferences ("invalid mem access 'scalar'").
func TestAliasesAreRead(t *testing.T) {
	src, err := os.ReadFile("testdata/programs/exec_alias.c")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Translate(src, "exec_alias.c", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	c := string(p.C)
	for _, want := range []string{
		"bpf_probe_read_user(&____elem, sizeof(____elem), &argv[0]); (__typeof__(argv[0]))____elem; })",
		"second = ({ unsigned long ____elem = 0; bpf_probe_read_user(&____elem, sizeof(____elem), &argv[1]);",
		"up = BPF_CORE_READ(me, real_parent);",
		"e.ppid = BPF_CORE_READ(up, tgid);",
		"bpf_probe_read_user(&e.file, sizeof(e.file), file);",
	} {
		if !strings.Contains(c, want) {
			t.Errorf("the translation lacks %q:\n%s", want, c)
		}
	}
	for _, bad := range []string{"), argv[0]);", "= argv[1];", "up->tgid"} {
		if strings.Contains(c, bad) {
			t.Errorf("the translation still has %q", bad)
		}
	}
}
