package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestPrepareMakesTheFirstRunWarm: after `prepare`, a program's first
// compile finds the cache and uses the precompiled header (run --timings
// says which steps it took); before it, the first compile made the cache.
func TestPrepareMakesTheFirstRunWarm(t *testing.T) {
	testenv.RequireRoot(t) // root's cache rules: a directory only root can write
	cache := filepath.Join(t.TempDir(), "cache")
	t.Setenv("EBPF_HELLO_CACHE", cache)
	prog := runProgram("printk.bpf.c")
	out := filepath.Join(t.TempDir(), "x.bpf.o")

	r := runCommand(t, binary(t), "prepare")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "compile cache made in ") {
		t.Fatalf("prepare: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if pch, _ := filepath.Glob(filepath.Join(cache, "*", "common.h.pch")); len(pch) != 1 {
		t.Fatalf("no precompiled header in %s after prepare", cache)
	}
	r = runCommand(t, binary(t), "prepare")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "compile cache ready: ") {
		t.Errorf("prepare again: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCommand(t, binary(t), "run", prog, "--emit-object", out, "--timings")
	if r.code != 0 {
		t.Fatalf("run: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, step := range []string{"timings:", "compile cache found", "compiled by clang, with the precompiled header"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("run --timings after prepare does not say %q:\n%s", step, r.stderr)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}

	// Without prepare, the first run makes the cache itself.
	t.Setenv("EBPF_HELLO_CACHE", filepath.Join(t.TempDir(), "cold"))
	r = runCommand(t, binary(t), "run", prog, "--emit-object", out, "--timings")
	if r.code != 0 || !strings.Contains(r.stderr, "compile cache made for this kernel and clang") || !strings.Contains(r.stderr, "compiled by clang, against the types the program names") {
		t.Errorf("a cold run: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// That run left clang making the precompiled header in the background:
	// prepare waits for it (and the temporary directory is then removed
	// with nothing writing into it).
	r = runCommand(t, binary(t), "prepare")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "compile cache ready: ") {
		t.Errorf("prepare after a cold run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
