// Command ring-buffer is trace-open with a BPF ring buffer in place of the
// perf event array: same events, same output; see README.md for what changes.
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

//go:embed ring_buffer.bpf.o
var ringObject []byte

// Offsets of struct data_t's fields, as the C compiler lays them out.
const (
	offPID   = 0
	offTs    = 8 // u64 is 8-byte aligned: 4 bytes of padding after pid
	offComm  = 16
	offFname = 32
	dataSize = offFname + 255
)

func main() {
	count := flag.Int("count", 0, "stop after N events (0: no limit)")
	duration := flag.Duration("duration", 0, "stop after this long (0: no limit)")
	flag.Parse()
	if err := run(*count, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "ring-buffer:", err)
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
	module, err := lesson.Open("ring_buffer.bpf.o", ringObject)
	if err != nil {
		return err
	}
	defer module.Close()
	where, err := lesson.LoadAndAttach(module, lesson.Hooks{
		Kprobe:      "ex_ring_kprobe",
		Tracepoint:  "ex_ring_tp",
		Tracepoints: []string{"sys_enter_openat", "sys_enter_openat2"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "attached:", where)

	// A ring buffer has no per-CPU parts and no "lost" channel: a full ring
	// shows up in the BPF program, where bpf_ringbuf_reserve fails.
	events := make(chan []byte, 1024)
	ring, err := module.InitRingBuf("events", events)
	if err != nil {
		return err
	}
	ring.Poll(300)
	defer ring.Stop() // Stop before module.Close

	// 2) print header
	fmt.Printf("%-18s %-16s %-6s %-16s\n", "TIME(s)", "COMM", "PID", "FILE")

	// 3) the callback's body, once per event
	var start uint64
	for n := 0; count == 0 || n < count; {
		select {
		case <-ctx.Done():
			return nil
		case data, ok := <-events:
			if !ok {
				return nil
			}
			if len(data) < dataSize {
				continue
			}
			pid := binary.NativeEndian.Uint32(data[offPID:])
			ts := binary.NativeEndian.Uint64(data[offTs:])
			comm := cString(data[offComm : offComm+16])
			fname := cString(data[offFname:dataSize])
			if start == 0 {
				start = ts
			}
			timeS := float64(ts-start) / 1e9
			fmt.Printf("%-18.9f %-16s %-6d %-16s\n", timeS, comm, pid, fname)
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
