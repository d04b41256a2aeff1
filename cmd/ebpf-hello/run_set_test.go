package main

import (
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunRefusesSettingsThatCannotTakeEffect: --set on a const without
// volatile was accepted and changed nothing (clang had folded the value);
// on a global the program only writes, the value was overwritten. Both are
// refused in one line saying why; a real setting is taken.
func TestRunRefusesSettingsThatCannotTakeEffect(t *testing.T) {
	testenv.RequireRoot(t)
	for _, c := range []struct{ set, want string }{
		{"pid_filter=1", "pid_filter is declared const without volatile, so clang folded its value into the code"},
		{"my_pid=1", "the program only writes my_pid (a result, not a setting)"},
	} {
		r := runCommand(t, binary(t), "run", runProgram("set_cases.bpf.c"), "--set", c.set, "--duration", "1s")
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("--set %s: exit %d, stderr %q; want one line with %q", c.set, r.code, r.stderr, c.want)
		}
	}
	r := runCommand(t, binary(t), "run", runProgram("set_cases.bpf.c"), "--set", "targ_pid=1", "--duration", "1s")
	if r.code != 0 {
		t.Errorf("--set targ_pid=1: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestRunParamsListsSettings: --params lists each global with its type,
// default and whether --set can change it, without loading anything.
func TestRunParamsListsSettings(t *testing.T) {
	r := runCommand(t, binary(t), "run", runProgram("set_cases.bpf.c"), "--params")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"targ_pid    int   0        .rodata  yes",
		"pid_filter  int   0        .rodata  no: pid_filter is declared const without volatile",
		"my_pid      int   0        .bss     no: the program only writes my_pid",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--params lacks %q:\n%s", want, r.stdout)
		}
	}
}
