package probe

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// Map is one of a loaded object's maps, read as bytes.
type Map struct {
	Name      string
	Type      string // libbpf's name: "hash", "array", "percpu_array", "perf_event_array", "ringbuf", ...
	KeySize   int
	ValueSize int
	PerCPU    bool // a value per possible CPU: Lookup returns them all, 8-byte aligned
	// KeyType and ValueType are the BTF type ids of key and value in the
	// object's BTF (0 when the map declares only sizes).
	KeyType, ValueType uint32
	m                  *bpf.BPFMap
}

// Map finds a map by name.
func (l *Loaded) Map(name string) (*Map, error) {
	m, err := l.module.GetMap(name)
	if err != nil {
		return nil, fmt.Errorf("find BPF map %s: %w", name, err)
	}
	t := m.Type()
	perCPU := t == bpf.MapTypePerCPUHash || t == bpf.MapTypePerCPUArray || t == bpf.MapTypeLRUPerCPUHash
	return &Map{Name: m.Name(), Type: t.Name(), KeySize: m.KeySize(), ValueSize: m.ValueSize(), PerCPU: perCPU,
		KeyType: m.BTFKeyTypeID(), ValueType: m.BTFValueTypeID(), m: m}, nil
}

// Lookup reads the value under key (for a per-CPU map, every CPU's value).
func (m *Map) Lookup(key []byte) ([]byte, error) {
	if len(key) != m.KeySize {
		return nil, fmt.Errorf("map %s: key of %d bytes, want %d", m.Name, len(key), m.KeySize)
	}
	v, err := m.m.GetValue(unsafe.Pointer(&key[0]))
	if err != nil {
		return nil, fmt.Errorf("read BPF map %s: %w", m.Name, err)
	}
	return v, nil
}

// Item is one key and its value.
type Item struct{ Key, Value []byte }

// Items reads every key and value. Keys deleted meanwhile are skipped.
func (m *Map) Items() ([]Item, error) {
	var items []Item
	it := m.m.Iterator()
	for it.Next() {
		key := append([]byte(nil), it.Key()...)
		value, err := m.m.GetValue(unsafe.Pointer(&key[0]))
		if err != nil {
			continue // deleted since we got its key
		}
		items = append(items, Item{Key: key, Value: value})
	}
	if err := it.Err(); err != nil {
		return items, fmt.Errorf("read BPF map %s: %w", m.Name, err)
	}
	return items, nil
}

// Delete removes key (hash maps; for arrays it fails).
func (m *Map) Delete(key []byte) error {
	if err := m.m.DeleteKey(unsafe.Pointer(&key[0])); err != nil {
		return fmt.Errorf("delete from BPF map %s: %w", m.Name, err)
	}
	return nil
}

// SumU64 adds up the __u64 value under key over all CPUs (or returns it,
// for a map that is not per CPU).
func (m *Map) SumU64(key []byte) (uint64, error) {
	raw, err := m.Lookup(key)
	if err != nil {
		return 0, err
	}
	return SumPerCPU(raw), nil
}

// SumPerCPU adds up the 8-byte values of a per-CPU lookup.
func SumPerCPU(raw []byte) uint64 {
	var sum uint64
	for i := 0; i+8 <= len(raw); i += 8 { // one 8-byte-aligned value per possible CPU
		sum += binary.NativeEndian.Uint64(raw[i:])
	}
	return sum
}

// SumPerCPU adds up slot of a BPF_MAP_TYPE_PERCPU_ARRAY of __u64 over all CPUs.
func (l *Loaded) SumPerCPU(mapName string, slot uint32) (uint64, error) {
	m, err := l.Map(mapName)
	if err != nil {
		return 0, err
	}
	return m.SumU64(binary.NativeEndian.AppendUint32(nil, slot))
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
