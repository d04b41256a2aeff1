package frontend

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWhatAppliesToWhich: BCC's flags on libbpf-style C, script arguments
// or --emit-object on an object, are refused in one line naming the flag.
func TestWhatAppliesToWhich(t *testing.T) {
	libbpf := write(t, "x.bpf.c", "#include \"vmlinux.h\"\nSEC(\"tracepoint/syscalls/sys_enter_openat\") int f(void *ctx) { return 0; }\n")
	obj := write(t, "x.bpf.o", "not an object")
	for _, tt := range []struct {
		in   Input
		want string
	}{
		{Input{Path: libbpf, Src: "other.c"}, "--src does not apply"},
		{Input{Path: libbpf, EmitC: true}, "--emit does not apply"},
		{Input{Path: libbpf, ScriptArgs: []string{"-p", "1"}}, "arguments after -- are a BCC script's own"},
		{Input{Path: obj, ScriptArgs: []string{}}, "arguments after -- are a BCC script's own"},
		{Input{Path: obj, Elsewhere: true}, "is compiled already"},
	} {
		_, err := Prepare(context.Background(), tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: %v, want one line with %q", tt.in, err, tt.want)
		}
	}
}

// TestEmitGivesTheGeneratedC: --emit of BCC C returns the libbpf-style C
// (with its plan), compiling nothing.
func TestEmitGivesTheGeneratedC(t *testing.T) {
	bcc := write(t, "hello.c", "int kprobe__do_nanosleep(void *ctx) { bpf_trace_printk(\"hi\\n\"); return 0; }\n")
	out, err := Prepare(context.Background(), Input{Path: bcc, EmitC: true, Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Object != nil || !strings.Contains(string(out.C), `SEC("kprobe/do_nanosleep")`) || !strings.Contains(string(out.C), "ebpf-hello plan:") {
		t.Errorf("object %d bytes, C:\n%s", len(out.Object), out.C)
	}
	// a BCC program that names no hook
	none := write(t, "none.c", "int f(void *ctx) { return 0; }\n")
	if _, err := Prepare(context.Background(), Input{Path: none, EmitC: true}); err == nil || !strings.Contains(err.Error(), "attaches nothing") {
		t.Errorf("no hook: %v", err)
	}
}
