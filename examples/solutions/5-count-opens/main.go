// Command count-opens is workshop exercise 5 (solution): count file opens
// per process in a BPF hash map, then print the processes that opened most.
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
	"sort"
	"syscall"
	"time"
	"unsafe"

	"github.com/ebpf-hello/ebpf-hello/examples/internal/lesson"
)

//go:embed count.bpf.o
var countObject []byte

// processCount is one map entry: struct count_t and its key.
type processCount struct {
	pid   uint32
	opens uint64
	comm  string
}

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long to count (Ctrl-C stops earlier)")
	top := flag.Int("top", 10, "how many processes to print")
	flag.Parse()
	if err := run(*duration, *top); err != nil {
		fmt.Fprintln(os.Stderr, "count-opens:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, top int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()

	module, err := lesson.Open("count.bpf.o", countObject)
	if err != nil {
		return err
	}
	defer module.Close()
	where, err := lesson.LoadAndAttach(module, lesson.Hooks{
		Kprobe:      "ex_count_kprobe",
		Tracepoint:  "ex_count_tp",
		Tracepoints: []string{"sys_enter_open", "sys_enter_openat", "sys_enter_openat2", "sys_enter_creat"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "attached: %s; counting for %s\n", where, duration)
	<-ctx.Done() // the kernel counts; we only wait

	counts, err := module.GetMap("counts")
	if err != nil {
		return err
	}
	var all []processCount
	it := counts.Iterator()
	for it.Next() {
		key := it.Key()
		value, err := counts.GetValue(unsafe.Pointer(&key[0]))
		if err != nil {
			continue // the process's entry went away meanwhile
		}
		all = append(all, processCount{
			pid:   binary.NativeEndian.Uint32(key),
			opens: binary.NativeEndian.Uint64(value[0:8]),
			comm:  cString(value[8:24]),
		})
	}
	if err := it.Err(); err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].opens > all[j].opens })
	fmt.Printf("%-7s %-16s %s\n", "PID", "COMM", "OPENS")
	for i := 0; i < len(all) && i < top; i++ {
		fmt.Printf("%-7d %-16s %d\n", all[i].pid, all[i].comm, all[i].opens)
	}
	return nil
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
