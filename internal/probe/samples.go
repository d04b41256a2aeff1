package probe

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

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
