// Command hello-printk is the tutorial's hello.py in Go with libbpfgo:
// load hello.bpf.c, attach it to file opens, print trace_pipe.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ebpf-hello/ebpf-hello/examples/internal/lesson"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// hello.bpf.o is compiled by `make examples` (BCC compiled hello.c at run time).
//
//go:embed hello.bpf.o
var helloObject []byte

func main() {
	count := flag.Int("count", 0, "stop after N lines (0: no limit)")
	duration := flag.Duration("duration", 0, "stop after this long (0: no limit)")
	flag.Parse()
	if err := run(*count, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "hello-printk:", err)
		os.Exit(1)
	}
}

func run(count int, duration time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}

	// 1) load BPF program: b = BPF(src_file="hello.c")
	module, err := lesson.Open("hello.bpf.o", helloObject)
	if err != nil {
		return err
	}
	defer module.Close() // detaches the program and unloads it

	// 2) attach kprobe: b.attach_kprobe(event="do_sys_openat2", fn_name="hello_world")
	where, err := lesson.LoadAndAttach(module, lesson.Hooks{
		Kprobe:      "ex_hello_kprobe",
		Tracepoint:  "ex_hello_tp",
		Tracepoints: []string{"sys_enter_open", "sys_enter_openat", "sys_enter_openat2", "sys_enter_creat"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "attached:", where)

	// 3) read and print trace_pipe: b.trace_print()
	root, err := lesson.TracefsRoot()
	if err != nil {
		return err
	}
	pipe, err := tracepipe.Open(filepath.Join(root, "trace_pipe"))
	if err != nil {
		return err
	}
	defer pipe.Close()
	for n := 0; count == 0 || n < count; n++ {
		line, err := pipe.Next(ctx)
		if err != nil {
			return nil // Ctrl-C or -duration: done
		}
		fmt.Println(line)
	}
	return nil
}
