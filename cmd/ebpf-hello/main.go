// Command ebpf-hello runs the eBPF "hello world" tutorial's programs:
// `printk` (bpf_trace_printk on every file open, read from trace_pipe) and
// `open` (one event per file open through a perf event array).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// started is when the process started, for run --timings.
var started = time.Now()

func main() {
	// Ctrl-C and SIGTERM cancel the context; every command then detaches
	// its programs and exits normally. A closed stdout does the same.
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &trackedWriter{w: os.Stdout}
	handleSignals(cancel, stdout)
	watchStdout(ctx, cancel)
	app := newApp(stdout, os.Stderr)
	err := app.RunContext(ctx, flagsFirst(app, os.Args))
	cancel()
	compile.RemoveTemporary()
	var code exitCode
	switch {
	case errors.As(err, &code): // the command has said why (doctor's report)
		os.Exit(int(code))
	case err != nil:
		fmt.Fprintln(os.Stderr, "ebpf-hello: error:", textsafe.Message(err.Error()))
		os.Exit(1)
	}
}
