package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// TestRunRefusesInputsThatNeverEnd: a FIFO blocks whoever opens it until a
// writer comes, and /dev/zero never ends: as the program, the object, a
// file it includes, a script's src_file or a uprobe's binary, each is
// refused at once in one line (before: a hang, or Go out of memory after
// the included file was hashed forever).
func TestRunRefusesInputsThatNeverEnd(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.bpf.c")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	fifoObj := filepath.Join(dir, "fifo.bpf.o")
	if err := syscall.Mkfifo(fifoObj, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.bpf.c")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	includesZero := write("inc.bpf.c", `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "/dev/zero"
char LICENSE[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_openat")
int p(void *ctx) { return 0; }
`)
	script := write("zero.py", "from bcc import BPF\nb = BPF(src_file=\"/dev/zero\")\nb.trace_print()\n")
	uprobe := write("u.bpf.c", `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("uprobe/`+fifo+`:main")
int p(void *ctx) { return 0; }
`)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"FIFO program", []string{"run", fifo}, "is a FIFO, not a regular file"},
		{"FIFO object", []string{"run", fifoObj}, "is a FIFO, not a regular file"},
		{"symlink to /dev/zero", []string{"run", zero}, "is a character device, not a regular file"},
		{"src_file /dev/zero", []string{"run", script}, "is a character device, not a regular file"},
		{"uprobe binary a FIFO", []string{"run", uprobe, "-n", "1"}, "is a FIFO, not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCommand(t, append([]string{binary(t)}, c.args...)...)
			if r.code == 0 || !strings.Contains(r.stderr, "ebpf-hello: error: ") || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant an error with %q", r.code, r.stderr, c.want)
			}
		})
	}
	// clang reads /dev/zero as empty; what must not happen is reading it
	// forever afterwards to remember the compile (Go ran out of memory).
	t.Run("#include of /dev/zero", func(t *testing.T) {
		r := runCommand(t, binary(t), "run", includesZero, "--duration", "1s")
		if r.code != 0 {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})
}

// TestRunRefusesFlagsThatCannotApply: every flag's syntax is checked
// whatever FILE is, and a flag FILE cannot use is refused in one line
// (before: `run x.bpf.o --kprobe noequals` exited 0, and --emit on an
// object ran it). Checked before FILE is read: no file is needed.
func TestRunRefusesFlagsThatCannotApply(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"x.bpf.o", "--kprobe", "noequals"}, `--kprobe "noequals": want WHERE=FUNCTION`},
		{[]string{"x.bpf.o", "--src", "x.c"}, "--src does not apply to x.bpf.o"},
		{[]string{"x.bpf.o", "--emit"}, "--emit does not apply to x.bpf.o"},
		{[]string{"x.bpf.o", "--emit-object", "y.o"}, "--emit-object does not apply to x.bpf.o"},
		{[]string{"x.bpf.o", "--format", "bogus"}, `invalid --format "bogus"`},
		{[]string{"x.bpf.c", "--interval", "1ns"}, "--interval 1ns is too short"},
		{[]string{"x.bpf.c", "--set", "noequals"}, `invalid --set "noequals"`},
		{[]string{"x.py", "--emit", "--emit-object", "y.o"}, "--emit and --emit-object: choose one"},
		{[]string{"x.py", "--tracepoint", "../../etc:passwd=fn"}, "--tracepoint"},
	} {
		r := runCommand(t, append([]string{binary(t), "run"}, c.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("run %q: exit %d, stderr %q; want one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestRunRefusesTracepointNamesThatArePaths: a SEC() tracepoint's category
// and event become a tracefs path; ".." there must be refused, not read.
func TestRunRefusesTracepointNamesThatArePaths(t *testing.T) {
	testenv.RequireRoot(t)
	prog := filepath.Join(t.TempDir(), "tp.bpf.c")
	if err := os.WriteFile(prog, []byte(`#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("tracepoint/../passwd")
int p(void *ctx) { return 0; }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCommand(t, binary(t), "run", prog, "--duration", "1s")
	if r.code == 0 || !strings.Contains(r.stderr, `tracepoint category ".." is not a name`) {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestRunBCCAsNonRootSaysWhatItNeeds: a BCC program with TRACEPOINT_PROBE
// said "format: permission denied" without root (its translation reads the
// tracepoint's root-only format file first); it says what run needs, as
// every other command does.
func TestRunBCCAsNonRootSaysWhatItNeeds(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	prog, err := filepath.Abs("../../examples/solutions/c-only/3-count/count.c")
	if err != nil {
		t.Fatal(err)
	}
	r := runCommand(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, "run", prog)
	if r.code == 0 || !strings.Contains(r.stderr, "loading BPF needs root") || strings.Contains(r.stderr, "permission denied") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestRunCtrlCWhileCompilingIsAStop: Ctrl-C while clang compiles printed
// "error: context canceled" and exited 1; it is an ordinary stop.
func TestRunCtrlCWhileCompilingIsAStop(t *testing.T) {
	testenv.RequireRoot(t)
	var src strings.Builder
	src.WriteString("#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n")
	for i := 0; i < 4000; i++ { // slow to compile: seconds, long enough to be caught in clang
		fmt.Fprintf(&src, "static __noinline int f%d(int x) { return x * %d + (x >> 3) - %d; }\n", i, i, i)
	}
	src.WriteString("SEC(\"tracepoint/syscalls/sys_enter_openat\")\nint p(void *ctx) { return f0(1); }\n")
	prog := filepath.Join(t.TempDir(), fmt.Sprintf("slow%d.bpf.c", os.Getpid()))
	if err := os.WriteFile(prog, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "run", prog)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until clang runs as its child (a condition, not a duration).
	for deadline := time.Now().Add(testenv.Patience); !hasChild(cmd.Process.Pid, "clang"); {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("clang never ran; stderr:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if err != nil || strings.Contains(stderr.String(), "error") {
		t.Errorf("Ctrl-C while compiling: %v, stderr:\n%s", err, stderr.String())
	}
}

// hasChild: a process whose name starts with prefix has parent pid.
func hasChild(pid int, prefix string) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		open, end := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if len(f) > 1 && strings.HasPrefix(string(b[open+1:end]), prefix) && f[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}
