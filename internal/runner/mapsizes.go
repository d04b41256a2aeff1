package runner

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// A map whose loader sets its size (libbpf-tools declare stack trace maps
// and some hashes without max_entries or value_size, and set them from
// their options before load) cannot be created as it is: the kernel says
// EINVAL. run gives such maps what those loaders give by default.
const (
	defaultEntries   = 10240          // libbpf-tools' usual MAX_ENTRIES
	defaultRingBytes = 256 * 1024     // a ring buffer's size
	stackDepth       = 127            // the kernel's PERF_MAX_STACK_DEPTH
	mapTypeStack     = 7              // BPF_MAP_TYPE_STACK_TRACE
	stackValueSize   = stackDepth * 8 // one u64 address per frame
)

// mapSizes decides the sizes to set before load: the user's --map-size
// NAME=N first, then defaults for maps that have none. notes say what was
// chosen, once each.
func mapSizes(maps []btfview.Map, user []string) (entries, valueSizes map[string]uint32, notes []string, err error) {
	entries, valueSizes = map[string]uint32{}, map[string]uint32{}
	byName := map[string]btfview.Map{}
	for _, m := range maps {
		byName[m.Name] = m
	}
	for _, set := range user {
		name, value, ok := strings.Cut(set, "=")
		n, perr := strconv.ParseUint(value, 0, 32)
		if !ok || name == "" || perr != nil || n == 0 {
			return nil, nil, nil, fmt.Errorf("--map-size %s: want NAME=N, N a positive number of entries (bytes for a ring buffer)", textsafe.Escape(set))
		}
		if _, ok := byName[name]; !ok {
			return nil, nil, nil, fmt.Errorf("--map-size %s: the program has no map %s", textsafe.Escape(set), textsafe.Escape(name))
		}
		entries[name] = uint32(n)
	}
	for _, m := range maps {
		if m.Type == mapTypeStack && m.ValueSize == 0 {
			valueSizes[m.Name] = stackValueSize
			notes = append(notes, fmt.Sprintf("map %s has no value_size (its loader sets it): %d frames of 8 bytes", textsafe.Escape(m.Name), stackDepth))
		}
		if _, set := entries[m.Name]; set || m.MaxEntries != 0 || m.Type == btfview.MapTypePerfEventArray {
			continue // a perf event array's size is the CPUs, libbpf's to set
		}
		size := uint32(defaultEntries)
		what := "entries"
		if m.Type == btfview.MapTypeRingbuf {
			size, what = defaultRingBytes, "bytes"
		}
		entries[m.Name] = size
		notes = append(notes, fmt.Sprintf("map %s has no max_entries (its loader sets it): %d %s (--map-size %s=N to change)", textsafe.Escape(m.Name), size, what, textsafe.Escape(m.Name)))
	}
	sort.Strings(notes)
	return entries, valueSizes, notes, nil
}
