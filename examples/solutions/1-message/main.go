// Command hello-printk is the tutorial's hello.py in Go with libbpfgo: load
// hello.bpf.c, attach it to file opens, print trace_pipe. The numbered
// comments follow the code in reading order; each quotes the hello.py line
// it replaces.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	bpf "github.com/aquasecurity/libbpfgo"
)

func main() {
	count := flag.Int("count", 0, "stop after N lines (0: no limit)")
	duration := flag.Duration("duration", 0, "stop after this long (0: no limit)")
	flag.Parse()
	if err := run(*count, *duration); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

func run(count int, duration time.Duration) error {
	// Ctrl-C (or -duration) cancels ctx; the defers below then detach and
	// unload everything (BCC did that when Python exited).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}

	// 1) b = BPF(src_file="hello.c"): BCC compiled the C when the program
	// started. Here clang compiled it ahead of time (make examples), into
	// hello.bpf.o next to this binary; libbpf opens that object.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	module, err := bpf.NewModuleFromFileArgs(bpf.NewModuleArgs{
		BPFObjPath:      filepath.Join(filepath.Dir(exe), "hello.bpf.o"),
		SkipMemlockBump: true, // kernels since 5.11 do not need RLIMIT_MEMLOCK raised
	})
	if err != nil {
		return fmt.Errorf("open hello.bpf.o (run make examples): %w", err)
	}
	defer module.Close() // detaches and unloads everything

	// 2) Load: the kernel's verifier checks every program in the object.
	if err := module.BPFLoadObject(); err != nil {
		if errors.Is(err, syscall.EPERM) && os.Geteuid() != 0 { // the kernel's answer to an ordinary user
			return errors.New("loading BPF programs needs root: try sudo")
		}
		return loadError(err) // libbpf.go: shows the verifier's reason
	}

	// 3) b.attach_kprobe(event="do_sys_openat2", fn_name="hello_world")
	kprobe, err := module.GetProgram("ex_hello_kprobe")
	if err != nil {
		return err
	}
	if _, err := kprobe.AttachKprobe("do_sys_openat2"); err == nil {
		fmt.Fprintln(os.Stderr, "attached: kprobe on do_sys_openat2")
	} else {
		// 3b) No kprobes on this kernel (CONFIG_KPROBES off), or no
		// do_sys_openat2 (before 5.6): the syscall tracepoints see the
		// same opens, and the C file has a program for them.
		tracepoint, err := module.GetProgram("ex_hello_tp")
		if err != nil {
			return err
		}
		for _, name := range []string{"sys_enter_openat", "sys_enter_openat2"} {
			if _, err := tracepoint.AttachTracepoint("syscalls", name); err != nil {
				return fmt.Errorf("attach tracepoint %s: %w", name, err)
			}
		}
		fmt.Fprintln(os.Stderr, "no kprobe on do_sys_openat2 here: attached to the tracepoints syscalls:sys_enter_openat and syscalls:sys_enter_openat2 instead")
	}

	// 4) b.trace_print(): read trace_pipe ourselves. The tutorial's
	// /sys/kernel/debug/tracing is /sys/kernel/tracing on recent systems.
	tracing, err := tracingDir()
	if err != nil {
		return err
	}
	path := filepath.Join(tracing, "trace_pipe")
	pipe, err := os.Open(path)
	if errors.Is(err, syscall.EBUSY) { // recent kernels let one reader in at a time
		return fmt.Errorf("another program is reading %s, and only one may: find it with sudo fuser %s (or sudo ebpf-hello doctor)", path, path)
	}
	if err != nil {
		return err
	}
	defer pipe.Close()

	// 5) trace_pipe may still hold lines from before we started (an earlier
	// run, another tool). Write a line of our own to trace_marker now, after
	// attaching, and skip everything up to it.
	marker := fmt.Sprintf("hello-printk start %d", os.Getpid())
	if err := os.WriteFile(filepath.Join(tracing, "trace_marker"), []byte(marker), 0); err != nil {
		return err
	}
	lines := make(chan string)
	go func() { // a read of trace_pipe blocks: do it on its own goroutine
		scanner := bufio.NewScanner(pipe)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
	}()

	// 6) print each line, as b.trace_print() did
	started := false
	for n := 0; count == 0 || n < count; {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return errors.New("trace_pipe closed")
			}
			if !started {
				started = strings.HasSuffix(line, marker)
				continue
			}
			fmt.Println(line)
			n++
		}
	}
	return nil
}

// tracingDir is where tracefs is mounted: /sys/kernel/tracing since Linux
// 4.1, still reachable as /sys/kernel/debug/tracing where debugfs is mounted.
func tracingDir() (string, error) {
	for _, dir := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(dir, "trace_pipe")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing")
}
