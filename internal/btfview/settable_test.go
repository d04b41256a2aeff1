package btfview

import (
	"strings"
	"testing"
)

// `--set` must not accept a setting that cannot take effect: a const
// without volatile (clang folds it into the code: minimal.bpf.c's
// pid_filter, set to 1 and changing nothing), a global the code never
// reads, a global the program only writes (a result). Real settings pass.
func TestSettable(t *testing.T) {
	obj, err := Load(compileWith(t, func(string) string {
		return `
#define SEC(n) __attribute__((section(n), used))
typedef unsigned int u32;
long bpf_get_current_pid_tgid(void);
const int pid_filter = 0;
const volatile int targ_pid = 0;
const volatile int never_read = 0;
int my_pid = 0;
long counter = 0;
int threshold = 5;
char LICENSE[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_write")
int p(void *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	if (pid_filter && pid != pid_filter)
		return 0;
	if (targ_pid && pid != targ_pid)
		return 0;
	my_pid = pid;
	if (pid > threshold)
		__sync_fetch_and_add(&counter, 1);
	return 0;
}
`
	}))
	if err != nil {
		t.Fatal(err)
	}
	globals, err := obj.Globals()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"pid_filter": "declared const without volatile",
		"never_read": "never reads never_read",
		"my_pid":     "only writes my_pid",
		"targ_pid":   "",
		"threshold":  "", // a .data setting the code reads
		"counter":    "", // read and written: the code adds to what was set
	} {
		g, ok := globals[name]
		if !ok {
			t.Errorf("%s: not a global of the object", name)
			continue
		}
		err := obj.Settable(g)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: err %v, want %q", name, err, want)
		}
	}
	d, err := obj.Default(globals["threshold"])
	if err != nil || len(d) != 1 || d[0].Value.String() != "5" {
		t.Errorf("default of threshold: %v, %v", d, err)
	}
}

// Names inside values come from the object's BTF, which a user wrote:
// enum value names and nested field names reach the terminal escaped.
func TestNamesFromBTFAreEscaped(t *testing.T) {
	v := Value{Kind: KindRecord, Fields: []Named{
		{Name: "st\x1b]0;x\x07", Value: Value{Kind: KindEnum, Text: "RUN\nebpf-hello: error: forged"}},
	}}
	for _, s := range []string{v.String(), Record(v.Fields).String()} {
		if strings.ContainsAny(s, "\x1b\x07\n") {
			t.Errorf("raw control bytes in %q", s)
		}
	}
}
