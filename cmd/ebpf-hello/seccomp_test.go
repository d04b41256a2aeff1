package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// execWithoutBPF execs argv under a seccomp filter that refuses bpf(2)
// with EPERM, as a container's default profile does (the test binary's
// child mode EBPF_HELLO_SECCOMP_NO_BPF).
func execWithoutBPF(argv []string) int {
	runtime.LockOSThread() // the filter is this thread's, which exec keeps
	filter := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: unix.SYS_BPF},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "no_new_privs:", err)
		return 2
	}
	if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "seccomp:", err)
		return 2
	}
	err := syscall.Exec(argv[0], argv, os.Environ())
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 2
}

// TestSeccompRefusingBPFIsNamed: under a seccomp filter that refuses
// bpf(2) (podman's default profile with CAP_BPF), commands failed with
// "kernel refused to load ...: EPERM" after trying every attach mode; they
// now say in one line that seccomp refuses bpf() and how to start the
// container, and so does doctor.
func TestSeccompRefusingBPFIsNamed(t *testing.T) {
	testenv.RequireRoot(t)
	run := func(args ...string) result {
		cmd := exec.Command(os.Args[0], append([]string{binary(t)}, args...)...)
		cmd.Env = append(os.Environ(), "EBPF_HELLO_SECCOMP_NO_BPF=1")
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{code: code, stdout: out.String(), stderr: errOut.String()}
	}
	for _, args := range [][]string{{"open", "-d", "1s"}, {"printk", "-d", "1s"}, {"run", "testdata/run/ring_tracepoint.bpf.c", "-d", "1s"}} {
		r := run(args...)
		if r.code == 0 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "seccomp") {
			t.Errorf("%v under seccomp: exit %d, stderr:\n%s(want one line naming seccomp)", args, r.code, r.stderr)
		}
	}
	if r := run("doctor"); r.code == 0 || !strings.Contains(r.stdout, "seccomp=unconfined") {
		t.Errorf("doctor under seccomp: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}
