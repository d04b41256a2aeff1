package probe

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
	"golang.org/x/sys/unix"
)

// DefaultFreq is how often a perf_event program runs on each CPU when the
// hook does not say (Hz): profile's default, not in step with the timer tick.
const DefaultFreq = 49

// attachPerfEvent opens a cpu-clock event sampling at freq Hz on every
// online CPU and attaches prog to each (libbpf's link closes the event).
func (l *Loaded) attachPerfEvent(prog *bpf.BPFProg, target string) error {
	freq := DefaultFreq
	if target != "" {
		n, err := strconv.Atoi(target)
		if err != nil || n < 1 || n > 100000 {
			return fmt.Errorf("perf_event frequency %q: want 1 to 100000 (Hz)", target)
		}
		freq = n
	}
	cpus, err := onlineCPUs()
	if err != nil {
		return err
	}
	for _, cpu := range cpus {
		attr := unix.PerfEventAttr{
			Type:   unix.PERF_TYPE_SOFTWARE,
			Config: unix.PERF_COUNT_SW_CPU_CLOCK,
			Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
			Sample: uint64(freq),
			Bits:   unix.PerfBitFreq,
		}
		fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if errors.Is(err, unix.ENODEV) {
			continue // went offline meanwhile
		}
		if err != nil {
			return fmt.Errorf("open a cpu-clock perf event on CPU %d: %w", cpu, err)
		}
		link, err := prog.AttachPerfEvent(fd)
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("attach to the perf event on CPU %d: %w", cpu, err)
		}
		l.links = append(l.links, link)
	}
	return nil
}

// onlineCPUs reads /sys/devices/system/cpu/online ("0-3,6").
func onlineCPUs() ([]int, error) {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("online CPUs: %w", err)
	}
	return parseCPUList(strings.TrimSpace(string(data)))
}

// parseCPUList reads the kernel's CPU list format ("0-3,6").
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b-a > 1<<16 {
			return nil, fmt.Errorf("CPU list %q: cannot read %q", s, part)
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
