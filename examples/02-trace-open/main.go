// Command trace-open is the tutorial's hello2.py in Go with libbpfgo: one
// event per file open through a perf event array (trace_open.bpf.c),
// printed as TIME(s) COMM PID FILE with the time relative to the first
// event. The numbered comments follow the code in reading order; each
// quotes the hello2.py line it replaces.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	bpf "github.com/aquasecurity/libbpfgo"
)

// event mirrors struct data_t in trace_open.bpf.c, field by field.
// binary.Read packs fields one after another, so the 4 bytes of padding the
// C compiler puts after pid (ts is 8-byte aligned) are written out as _.
// layout_test.go checks this against the object's BTF.
type event struct {
	Pid   uint32
	_     [4]byte
	Ts    uint64
	Comm  [16]byte
	Fname [255]byte
}

func main() {
	count := flag.Int("count", 0, "stop after N events (0: no limit)")
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

	// 1) b = BPF(src_file="trace-open.c"): BCC compiled the C when the
	// program started. Here clang compiled it ahead of time (make examples),
	// into trace_open.bpf.o next to this binary; libbpf opens that object.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	module, err := bpf.NewModuleFromFileArgs(bpf.NewModuleArgs{
		BPFObjPath:      filepath.Join(filepath.Dir(exe), "trace_open.bpf.o"),
		SkipMemlockBump: true, // kernels since 5.11 do not need RLIMIT_MEMLOCK raised
	})
	if err != nil {
		return fmt.Errorf("open trace_open.bpf.o (run make examples): %w", err)
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
	kprobe, err := module.GetProgram("ex_trace_open_kprobe")
	if err != nil {
		return err
	}
	if _, err := kprobe.AttachKprobe("do_sys_openat2"); err == nil {
		fmt.Fprintln(os.Stderr, "attached: kprobe on do_sys_openat2")
	} else {
		// 3b) No kprobes on this kernel (CONFIG_KPROBES off), or no
		// do_sys_openat2 (before 5.6): the syscall tracepoints see the
		// same opens, and the C file has a program for them.
		tracepoint, err := module.GetProgram("ex_trace_open_tp")
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

	// 4) b["events"].open_perf_buffer(print_event): libbpfgo delivers each
	// sample on a channel instead of calling a function, and counts of
	// lost samples on another. 64 pages per CPU (a power of two).
	samples := make(chan []byte, 1024)
	lost := make(chan uint64, 16)
	perf, err := module.InitPerfBuf("events", samples, lost, 64)
	if err != nil {
		return err
	}
	perf.Poll(300)    // 5) b.perf_buffer_poll(), in a loop on its own goroutine
	defer perf.Stop() // defers run last first: Stop, then module.Close

	// 6) print header
	fmt.Printf("%-18s %-16s %-6s %-16s\n", "TIME(s)", "COMM", "PID", "FILE")

	// 7) print_event's body, once per sample
	var start uint64
	for n := 0; count == 0 || n < count; {
		select {
		case <-ctx.Done():
			return nil
		case l, ok := <-lost:
			if ok { // after Stop, libbpfgo closes the channel: ok is false
				fmt.Fprintf(os.Stderr, "lost %d events\n", l)
			}
		case data, ok := <-samples:
			if !ok {
				return nil
			}
			// event = b["events"].event(data): BCC read the struct from
			// the C source; here it is the Go struct above.
			var e event
			if err := binary.Read(bytes.NewReader(data), binary.NativeEndian, &e); err != nil {
				return fmt.Errorf("decode event: %w", err)
			}
			if start == 0 {
				start = e.Ts
			}
			timeS := float64(e.Ts-start) / 1e9
			fmt.Printf("%-18.9f %-16s %-6d %-16s\n", timeS, cString(e.Comm[:]), e.Pid, cString(e.Fname[:]))
			n++
		}
	}
	return nil
}

// cString cuts a C string at its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
