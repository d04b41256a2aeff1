package compile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/timings"
)

// A type reached only through BPF_CORE_READ's pointer chain (task->mm) is
// not named in the program: the first compile against the program's types
// misses it, adds what clang named, and succeeds on the next round.
const coreChain = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_execve")
int args_start(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);

	bpf_printk("args at %lx, map type %d", start, BPF_MAP_TYPE_RINGBUF);
	return 0;
}
`

// TestFirstCompileUsesTheProgramsTypes: with no precompiled header yet,
// a program compiles against a vmlinux.h of the types it names (retrying
// with the ones clang says are missing), and the object is the same code
// as against the whole vmlinux.h; a program with an error gets the error
// of the whole vmlinux.h's compile.
func TestFirstCompileUsesTheProgramsTypes(t *testing.T) {
	needClang(t)
	t.Setenv("EBPF_HELLO_CACHE", t.TempDir())
	t.Cleanup(forgetPrepared)
	forgetPrepared()

	var log strings.Builder
	runs := clangRuns.Load()
	obj, err := Object(context.Background(), Source{Path: "chain.bpf.c", Text: []byte(coreChain), Timings: timings.New(&log, time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "against the types the program names") {
		t.Errorf("not compiled against the program's types:\n%s", log.String())
	}
	if n := clangRuns.Load() - runs; n < 2 {
		t.Errorf("%d clang runs: task->mm's struct mm_struct should have needed a second round", n)
	}
	if left, _ := filepath.Glob(filepath.Join(entryDir(t), ".mini-*")); len(left) != 0 {
		t.Errorf("temporary headers left behind: %v", left)
	}
	if secs := sections(t, obj); secs[".BTF.ext"] == nil {
		t.Error("no CO-RE relocations (.BTF.ext)")
	}

	// The same program against the whole vmlinux.h: the same instructions.
	// (Not by waiting for the precompiled header: its clang runs at nice
	// 19, and a loaded machine starves it.)
	noMini = true
	t.Cleanup(func() { noMini = false })
	full, err := Object(context.Background(), Source{Path: "chain2.bpf.c", Text: []byte(coreChain)})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sections(t, obj)["tracepoint/syscalls/sys_enter_execve"], sections(t, full)["tracepoint/syscalls/sys_enter_execve"]; a == nil || b == nil || a.Size != b.Size {
		t.Errorf("code differs: %v vs %v", a, b)
	}

	// A program's own error: the message of the usual compile.
	noMini = false
	t.Setenv("EBPF_HELLO_CACHE", t.TempDir())
	forgetPrepared()
	_, err = Object(context.Background(), Source{Path: "bad.bpf.c", Text: []byte(strings.Replace(coreChain, "arg_start", "no_such_field", 1))})
	var cerr *Error
	if !errors.As(err, &cerr) || !strings.Contains(cerr.Diagnostics, "no member named 'no_such_field' in 'struct mm_struct'") || !strings.Contains(cerr.Diagnostics, "bad.bpf.c:11:") {
		t.Errorf("error %v", err)
	}
}

// entryDir is the one cache entry under $EBPF_HELLO_CACHE.
func entryDir(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(os.Getenv("EBPF_HELLO_CACHE"), "*", "include"))
	if len(dirs) != 1 {
		t.Fatalf("cache entries: %v", dirs)
	}
	return filepath.Dir(dirs[0])
}

func TestMiniNames(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tool.h"), []byte("struct event { pid_t pid; /* struct in_comment */ };\n#include \"deeper.h\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deeper.h"), []byte("#define TASK_COMM_LEN 16\nunion in_header_union { int x; };\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := []byte("#include \"vmlinux.h\"\n#include \"tool.h\"\n// struct commented_out\nint f(struct task_struct *t) { return BPF_MAP_TYPE_RINGBUF; }\n")
	records, names := miniNames(text, []string{dir})
	for _, want := range []string{"task_struct", "event", "in_header_union"} {
		if !slices.Contains(records, want) {
			t.Errorf("records %q lack %s", records, want)
		}
	}
	for _, want := range []string{"BPF_MAP_TYPE_RINGBUF", "pid_t", "TASK_COMM_LEN"} {
		if !slices.Contains(names, want) {
			t.Errorf("names %q lack %s", names, want)
		}
	}
	for _, unwanted := range []string{"commented_out", "in_comment"} {
		if slices.Contains(records, unwanted) || slices.Contains(names, unwanted) {
			t.Errorf("%s, from a comment, was listed", unwanted)
		}
	}
}
