package btfview

import (
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strings"
)

// Histogram slot limits, as BCC's: a log2 slot per bit of a u64 plus slot
// 0, and linear slots up to 1024.
const (
	Log2Slots   = 65
	LinearSlots = 1025
)

// HistSection is one histogram of a map: all of it, or for a map keyed by
// a struct {bucket; slot}, the slots of one bucket (BCC's "Bucket ptr").
type HistSection struct {
	Bucket string // "" when the key is a plain slot number
	Header string // what Bucket is ("" : the printer's default)
	Slots  []uint64
}

// HistSections turns map entries into histogram slots. The key is the slot
// (an integer), or a struct whose first field names a section and whose
// last integer field is the slot; the value is the count (an integer, or a
// struct whose first field is one). maxSlots bounds the slot numbers.
func HistSections(m Map, entries []Entry, maxSlots int) ([]HistSection, error) {
	key, value, err := layouts(m)
	if err != nil {
		return nil, err
	}
	if i := slotsField(value); i >= 0 {
		return slotArraySections(m, key, value, entries, i, maxSlots)
	}
	byBucket := map[string]*HistSection{}
	type bucket struct {
		value Value
		name  string
	}
	var buckets []bucket // one per section
	for _, e := range entries {
		k, err := key.Decode(e.Key)
		if err != nil {
			return nil, fmt.Errorf("map %s key: %w", m.Name, err)
		}
		v, err := value.Decode(e.Value)
		if err != nil {
			return nil, fmt.Errorf("map %s value: %w", m.Name, err)
		}
		count, ok := integer(v[0].Value)
		if !ok {
			return nil, fmt.Errorf("map %s: a histogram needs integer counts, not %s", m.Name, v[0].Value.String())
		}
		slot, ok := integer(k[len(k)-1].Value)
		if !ok {
			return nil, fmt.Errorf("map %s: a histogram needs an integer slot in its key", m.Name)
		}
		if slot >= uint64(maxSlots) {
			return nil, fmt.Errorf("map %s: slot %d is beyond the histogram's %d slots", m.Name, slot, maxSlots)
		}
		b := bucket{}
		if len(k) > 1 {
			b = bucket{k[0].Value, k[0].Value.String()}
		}
		s := byBucket[b.name]
		if s == nil {
			s = &HistSection{Bucket: b.name}
			byBucket[b.name] = s
			buckets = append(buckets, b)
		}
		for len(s.Slots) <= int(slot) {
			s.Slots = append(s.Slots, 0)
		}
		s.Slots[slot] += count
	}
	sort.SliceStable(buckets, func(i, j int) bool { return compareValues(buckets[i].value, buckets[j].value) < 0 })
	sections := make([]HistSection, 0, len(buckets))
	for _, b := range buckets {
		sections = append(sections, *byBucket[b.name])
	}
	return sections, nil
}

func integer(v Value) (uint64, bool) {
	switch v.Kind {
	case KindUint, KindBool, KindEnum, KindPointer:
		return v.Uint, true
	case KindInt:
		if v.Int < 0 {
			return 0, false
		}
		return uint64(v.Int), true
	}
	return 0, false
}

// PrintHist prints sections as log2 or linear histograms, each bucket's
// under a "\n<sectionHeader> = <bucket>" line as BCC does.
func PrintHist(w io.Writer, sections []HistSection, label, sectionHeader string, log2 bool) error {
	var b strings.Builder
	for _, s := range sections {
		if s.Bucket != "" {
			header := sectionHeader
			if s.Header != "" {
				header = s.Header
			}
			fmt.Fprintf(&b, "\n%s = %s\n", header, s.Bucket)
		}
		if log2 {
			writeLog2Hist(&b, s.Slots, label)
		} else {
			writeLinearHist(&b, s.Slots, label)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// PrintLog2Hist prints slots the way BCC's print_log2_hist does: slot i
// (i >= 1) counts values from 2^(i-1) to 2^i - 1 (bpf_log2l(v) + 1 in
// BCC's programs; slot 0, the value 0, is not shown). A libbpf-tools style
// map whose slot 0 counts 0 and 1 is printed by passing a 0 slot first.
func PrintLog2Hist(w io.Writer, slots []uint64, label string) error {
	var b strings.Builder
	writeLog2Hist(&b, slots, label)
	_, err := io.WriteString(w, b.String())
	return err
}

// PrintLinearHist prints slots the way BCC's print_linear_hist does: one
// row per slot from 0 to the last non-zero one.
func PrintLinearHist(w io.Writer, slots []uint64, label string) error {
	var b strings.Builder
	writeLinearHist(&b, slots, label)
	_, err := io.WriteString(w, b.String())
	return err
}

const barWidth = 40

func lastNonZero(slots []uint64) (last int, most uint64) {
	last = -1
	for i, v := range slots {
		if v > 0 {
			last = i
		}
		most = max(most, v)
	}
	return last, most
}

func writeLog2Hist(b *strings.Builder, slots []uint64, label string) {
	last, most := lastNonZero(slots)
	// Values beyond 2^32 need wider columns; the bar is halved to fit.
	headFmt, rowFmt, width := "     %-19s : count     distribution\n", "%10d -> %-10d : %-8d |%s|\n", barWidth
	if last > 32 {
		headFmt, rowFmt, width = "               %-29s : count     distribution\n", "%20d -> %-20d : %-8d |%s|\n", barWidth/2
	}
	if last > 0 {
		fmt.Fprintf(b, headFmt, label)
	}
	for i := 1; i <= last; i++ {
		low := uint64(1) << (i - 1)
		high := low<<1 - 1
		if i == 64 {
			high = ^uint64(0)
		}
		if low == high {
			low--
		}
		fmt.Fprintf(b, rowFmt, low, high, slots[i], bar(slots[i], most, width))
	}
}

func writeLinearHist(b *strings.Builder, slots []uint64, label string) {
	last, most := lastNonZero(slots)
	if last >= 0 {
		fmt.Fprintf(b, "     %-13s : count     distribution\n", label)
	}
	for i := 0; i <= last; i++ {
		fmt.Fprintf(b, "        %-10d : %-8d |%s|\n", i, slots[i], bar(slots[i], most, barWidth))
	}
}

// bar is count's share of most as stars, padded to width.
func bar(count, most uint64, width int) string {
	n := 0
	if most > 0 {
		hi, lo := bits.Mul64(count, uint64(width))
		q, _ := bits.Div64(hi, lo, most)
		n = int(min(q, uint64(width)))
	}
	return strings.Repeat("*", n) + strings.Repeat(" ", width-n)
}

// slotsField finds the slot array of a libbpf-tools histogram value,
// `struct hist { __u32 slots[N]; char comm[16]; }`: a field named slots,
// or the value's only integer array. -1 when there is none.
func slotsField(value *Layout) int {
	found := -1
	for i, f := range value.Fields {
		if f.Kind != KindList || f.Elem == nil || len(f.Elem.Fields) != 1 {
			continue
		}
		switch f.Elem.Fields[0].Kind {
		case KindUint, KindInt:
		default:
			continue
		}
		if f.Name == "slots" {
			return i
		}
		if found >= 0 {
			return -1 // two integer arrays, none named slots: not a histogram value
		}
		found = i
	}
	return found
}

// slotArraySections makes one section per map entry whose value holds its
// own slots (libbpf-tools: one histogram per pid, disk or cgroup key),
// titled by the key and the value's comm when it has one, as their loaders
// print "pid = 42 cat". Their slot 0 counts the values 0 and 1, which is
// BCC's slot 1: the slots are shifted by one so both print alike.
func slotArraySections(m Map, key, value *Layout, entries []Entry, slotsAt, maxSlots int) ([]HistSection, error) {
	type titled struct {
		key     Value
		section HistSection
	}
	var all []titled
	for _, e := range entries {
		v, err := value.Decode(e.Value)
		if err != nil {
			return nil, fmt.Errorf("map %s value: %w", m.Name, err)
		}
		k, err := key.Decode(e.Key)
		if err != nil {
			return nil, fmt.Errorf("map %s key: %w", m.Name, err)
		}
		list := v[slotsAt].Value.List
		if len(list)+1 > maxSlots {
			list = list[:maxSlots-1]
		}
		slots := make([]uint64, 1, len(list)+1) // BCC's slot 0: never used here
		nonZero := false
		for _, c := range list {
			n, _ := integer(c)
			slots = append(slots, n)
			nonZero = nonZero || n != 0
		}
		if !nonZero {
			continue // an array map's untouched slot
		}
		s := HistSection{Slots: slots}
		var names []string
		for _, f := range k {
			names = append(names, f.Value.String())
		}
		s.Bucket = strings.Join(names, " ")
		s.Header = "key"
		if len(k) == 1 && k[0].Name != "" {
			s.Header = k[0].Name
		}
		for _, f := range v {
			if f.Name == "comm" && f.Value.Kind == KindText {
				s.Bucket += " " + f.Value.String()
			}
		}
		all = append(all, titled{k[0].Value, s})
	}
	sort.SliceStable(all, func(i, j int) bool { return compareValues(all[i].key, all[j].key) < 0 })
	sections := make([]HistSection, 0, len(all))
	for _, t := range all {
		sections = append(sections, t.section)
	}
	if len(sections) == 1 {
		sections[0].Bucket = "" // one histogram (e.g. key 0 or -1 for "all"): no title, as the loaders print it
	}
	return sections, nil
}

// GlobalHist reads a global that is a libbpf-tools histogram, `struct hist
// { __u32 slots[N]; ... }` kept in .bss (cpufreq's syswide), as slots for
// PrintLog2Hist (a 0 slot first: theirs counts 0 and 1 in slot 0); ok is
// false for any other global.
func GlobalHist(l *Layout, data []byte) (slots []uint64, ok bool) {
	if l == nil || l.Name != "hist" && !strings.HasSuffix(l.Name, "_hist") {
		return nil, false
	}
	at := slotsField(l)
	if at < 0 {
		return nil, false
	}
	rec, err := l.Decode(data)
	if err != nil {
		return nil, false
	}
	slots = []uint64{0}
	for _, c := range rec[at].Value.List {
		n, _ := integer(c)
		slots = append(slots, n)
	}
	return slots, true
}
