package compile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// A program run again is not compiled again, unless a file it includes
// changed; its warnings are shown again on a hit.
func TestObjectCacheFollowsIncludedFiles(t *testing.T) {
	needClang(t)
	t.Setenv("EBPF_HELLO_CACHE", t.TempDir())
	t.Cleanup(forgetPrepared)
	forgetPrepared()
	dir := t.TempDir()
	header := filepath.Join(dir, "my value.h") // a space, escaped in clang's dependency list
	prog := filepath.Join(dir, "p.bpf.c")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(header, "#define MY_VALUE 1\n")
	write(prog, `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "my value.h"
char LICENSE[] SEC("license") = "GPL";
const volatile int my_value = MY_VALUE;
SEC("tracepoint/syscalls/sys_enter_openat")
int p(void *ctx) { my_value == 2; return my_value; }
`)
	compile := func() ([]byte, string, int64) {
		t.Helper()
		var warnings strings.Builder
		before := clangRuns.Load()
		obj, err := Object(context.Background(), Source{Path: prog, Warnings: &warnings})
		if err != nil {
			t.Fatal(err)
		}
		return obj, warnings.String(), clangRuns.Load() - before
	}
	// Compiled (twice on a first compile with no precompiled header: against
	// the program's types, then, for its warning, as always: see mini.go).
	first, warned, runs := compile()
	if runs < 1 || !strings.Contains(warned, "result unused") {
		t.Fatalf("first compile: %d clang runs, warnings %q", runs, warned)
	}
	again, warnedAgain, runs := compile()
	if runs != 0 || !bytes.Equal(again, first) || warnedAgain != warned {
		t.Errorf("same program again: %d clang runs (want 0), same object %v, warnings %q", runs, bytes.Equal(again, first), warnedAgain)
	}
	write(header, "#define MY_VALUE 2\n")
	edited, _, runs := compile()
	if runs < 1 || bytes.Equal(edited, first) {
		t.Errorf("after editing the header: %d clang runs (want a compile), object changed %v", runs, !bytes.Equal(edited, first))
	}
}

func TestParseDepfile(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"-.o: x.h\n", []string{"x.h"}},
		{"/tmp/a.o: /a/b.h \\\n  /c/my\\ file.h /d.h\n", []string{"/a/b.h", "/c/my file.h", "/d.h"}},
		{"", nil},
		{"no rule here", nil},
	} {
		if got := parseDepfile([]byte(tc.in)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseDepfile(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The background PCH build runs at nice 19, and the caller's own threads
// keep their priority.
func TestStartNicedLowersOnlyTheChild(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "read -r _; exec sleep 5")
	if err := startNiced(cmd); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if got := niceOf(t, cmd.Process.Pid); got != 19 {
		t.Errorf("child nice %d, want 19", got)
	}
	if got := niceOf(t, os.Getpid()); got == 19 {
		t.Errorf("this process's main thread got nice 19 too")
	}
}

// niceOf reads a process's nice value (field 19 of /proc/PID/stat).
func niceOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	n, err := strconv.Atoi(f[16])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
