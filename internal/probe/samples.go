package probe

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// Samples streams raw event samples from a perf event array or ring buffer.
//
// libbpfgo owns the channels: it closes them in Stop, so readers must check
// the `ok` of every receive and must never close them themselves.
type Samples struct {
	C    <-chan []byte // one event per receive
	Lost <-chan uint64 // perf only: samples the kernel dropped (buffer full); nil for ring
	stop func()
}

// Stop ends polling and closes C and Lost. It is safe to call more than once.
func (s *Samples) Stop() { s.stop() }

// sampleQueue is how many samples may wait for the reader; a full queue
// blocks libbpf's poll loop, and then the kernel side overflows and counts
// lost events, so it is generous.
const sampleQueue = 16384

// pollTimeoutMs bounds how long Stop waits for the poll loop to notice.
const pollTimeoutMs = 100

// PerfSamples starts reading the perf event array mapName with pages pages
// per CPU (a power of two, as libbpf requires).
func (l *Loaded) PerfSamples(mapName string, pages int) (*Samples, error) {
	if pages <= 0 || pages&(pages-1) != 0 {
		return nil, fmt.Errorf("perf buffer pages must be a power of two, got %d", pages)
	}
	events := make(chan []byte, sampleQueue)
	lost := make(chan uint64, 64)
	pb, err := l.obj.module.InitPerfBuf(mapName, events, lost, pages)
	if err != nil {
		return nil, fmt.Errorf("open perf buffer %s: %w", mapName, err)
	}
	pb.Poll(pollTimeoutMs)
	return &Samples{C: events, Lost: lost, stop: pb.Stop}, nil
}

// RingSamples starts reading the ring buffer mapName.
func (l *Loaded) RingSamples(mapName string) (*Samples, error) {
	events := make(chan []byte, sampleQueue)
	rb, err := l.obj.module.InitRingBuf(mapName, events)
	if err != nil {
		return nil, fmt.Errorf("open ring buffer %s: %w", mapName, err)
	}
	rb.Poll(pollTimeoutMs)
	return &Samples{C: events, stop: rb.Stop}, nil
}

// SumPerCPU adds up slot of a BPF_MAP_TYPE_PERCPU_ARRAY of __u64 over all CPUs.
func (l *Loaded) SumPerCPU(mapName string, slot uint32) (uint64, error) {
	m, err := l.obj.module.GetMap(mapName)
	if err != nil {
		return 0, fmt.Errorf("find BPF map %s: %w", mapName, err)
	}
	raw, err := m.GetValue(unsafe.Pointer(&slot))
	if err != nil {
		return 0, fmt.Errorf("read BPF map %s: %w", mapName, err)
	}
	var sum uint64
	for i := 0; i+8 <= len(raw); i += 8 { // one 8-byte-aligned value per possible CPU
		sum += binary.NativeEndian.Uint64(raw[i:])
	}
	return sum, nil
}

// BufferSupported reports whether the kernel can create the map type
// behind a buffer kind: "perf" (perf event array) or "ring" (ring buffer, 5.8+).
func BufferSupported(kind string) (bool, error) {
	mapType := bpf.MapTypePerfEventArray
	if kind == "ring" {
		mapType = bpf.MapTypeRingbuf
	}
	return bpf.BPFMapTypeIsSupported(mapType)
}
