// Command uid is workshop exercise 3 (solution): trace-open with a UID
// column, read from the field uid.bpf.c adds to data_t.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ebpf-hello/ebpf-hello/examples/internal/lesson"
)

//go:embed uid.bpf.o
var uidObject []byte

// Offsets of struct data_t's fields, as the C compiler lays them out.
const (
	offPID   = 0
	offUID   = 4 // where the tutorial's struct had padding
	offTs    = 8
	offComm  = 16
	offFname = 32
	dataSize = offFname + 255
)

func main() {
	count := flag.Int("count", 0, "stop after N events (0: no limit)")
	duration := flag.Duration("duration", 0, "stop after this long (0: no limit)")
	flag.Parse()
	if err := run(*count, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "uid:", err)
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

	// 1) load BPF program
	module, err := lesson.Open("uid.bpf.o", uidObject)
	if err != nil {
		return err
	}
	defer module.Close()
	where, err := lesson.LoadAndAttach(module, lesson.Hooks{
		Kprobe:      "ex_uid_kprobe",
		Tracepoint:  "ex_uid_tp",
		Tracepoints: []string{"sys_enter_openat", "sys_enter_openat2"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "attached:", where)

	// 4) b["events"].open_perf_buffer(print_event): libbpfgo delivers each
	// sample on a channel instead of calling a function.
	events := make(chan []byte, 1024)
	lost := make(chan uint64, 16)
	perf, err := module.InitPerfBuf("events", events, lost, 64) // 64 pages per CPU: a power of two
	if err != nil {
		return err
	}
	perf.Poll(300)    // b.perf_buffer_poll() in a loop, on its own goroutine
	defer perf.Stop() // runs before module.Close: Stop first, then Close

	// 2) print header
	fmt.Printf("%-18s %-16s %-6s %-6s %-16s\n", "TIME(s)", "COMM", "PID", "UID", "FILE")

	// 3) the callback's body, once per event
	var start uint64
	for n := 0; count == 0 || n < count; {
		select {
		case <-ctx.Done():
			return nil
		case l, ok := <-lost:
			if ok { // after Stop, libbpfgo closes the channel: ok is false
				fmt.Fprintf(os.Stderr, "lost %d events\n", l)
			}
		case data, ok := <-events:
			if !ok {
				return nil
			}
			if len(data) < dataSize {
				continue
			}
			pid := binary.NativeEndian.Uint32(data[offPID:])
			uid := binary.NativeEndian.Uint32(data[offUID:])
			ts := binary.NativeEndian.Uint64(data[offTs:])
			comm := cString(data[offComm : offComm+16])
			fname := cString(data[offFname:dataSize])
			if start == 0 {
				start = ts
			}
			timeS := float64(ts-start) / 1e9
			fmt.Printf("%-18.9f %-16s %-6d %-6d %-16s\n", timeS, comm, pid, uid, fname)
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
