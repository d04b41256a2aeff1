// Command count-opens is workshop exercise 5 (solution): the kernel counts
// file opens per process in a BPF hash map (trace_open.bpf.c); after
// -duration this program reads the map and prints the processes that
// opened most. Steps 1-3 are trace-open's.
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
	"sort"
	"syscall"
	"time"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// processCount mirrors struct count_t in trace_open.bpf.c, the map's
// value (no padding: opens is first, comm is bytes). layout_test.go
// checks this against the object's BTF.
type processCount struct {
	Opens uint64
	Comm  [16]byte
}

// row is one line of the result: a map key and its value.
type row struct {
	pid uint32
	processCount
}

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long to count (Ctrl-C stops earlier)")
	top := flag.Int("top", 10, "how many processes to print")
	flag.Parse()
	if err := run(*duration, *top); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

func run(duration time.Duration, top int) error {
	// Ctrl-C or -duration cancels ctx: then the map is read and printed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()

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

	// 4) The kernel counts; we only wait.
	fmt.Fprintf(os.Stderr, "counting for %s (Ctrl-C stops earlier)\n", duration)
	<-ctx.Done()

	// 5) Read the whole map: the iterator gives each key (a u32 pid, as
	// bytes); GetValue takes the key's address and returns the value's bytes.
	counts, err := module.GetMap("counts")
	if err != nil {
		return err
	}
	var rows []row
	it := counts.Iterator()
	for it.Next() {
		key := it.Key()
		value, err := counts.GetValue(unsafe.Pointer(&key[0]))
		if err != nil {
			continue // the entry went away meanwhile
		}
		r := row{pid: binary.NativeEndian.Uint32(key)}
		if err := binary.Read(bytes.NewReader(value), binary.NativeEndian, &r.processCount); err != nil {
			return fmt.Errorf("decode count: %w", err)
		}
		rows = append(rows, r)
	}
	if err := it.Err(); err != nil {
		return err
	}

	// 6) Most opens first, then print the top ones.
	sort.Slice(rows, func(i, j int) bool { return rows[i].Opens > rows[j].Opens })
	fmt.Printf("%-7s %-16s %s\n", "PID", "COMM", "OPENS")
	for i := 0; i < len(rows) && i < top; i++ {
		fmt.Printf("%-7d %-16s %d\n", rows[i].pid, cString(rows[i].Comm[:]), rows[i].Opens)
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
