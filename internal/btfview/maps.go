package btfview

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// Entry is one raw map item as read from the kernel.
type Entry struct {
	Key, Value []byte
}

// Item is a decoded map item.
type Item struct {
	Key, Value Record
}

// Items decodes a map's entries, skips array slots that are all zero, and
// sorts them by value (ascending, as BCC scripts print `sorted(items,
// key=lambda kv: kv[1].value)`: the largest last), then by key. Values of
// per-CPU maps are summed first (SumPerCPU).
func Items(m Map, entries []Entry) ([]Item, error) {
	key, value, err := layouts(m)
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(entries))
	for _, e := range entries {
		if m.IsArray() && allZero(e.Value) {
			continue
		}
		k, err := key.Decode(e.Key)
		if err != nil {
			return nil, fmt.Errorf("map %s key: %w", m.Name, err)
		}
		v, err := value.Decode(e.Value)
		if err != nil {
			return nil, fmt.Errorf("map %s value: %w", m.Name, err)
		}
		items = append(items, Item{Key: k, Value: v})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if c := compareRecords(items[i].Value, items[j].Value); c != 0 {
			return c < 0
		}
		return compareRecords(items[i].Key, items[j].Key) < 0
	})
	return items, nil
}

// SortItems orders items as a script's sorted(items, key=...) does: by
// key (then value) when byKey, else by value (then key), as Items does;
// reverse puts the largest first.
func SortItems(items []Item, byKey, reverse bool) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if reverse {
			a, b = b, a
		}
		first, second := compareRecords(a.Value, b.Value), compareRecords(a.Key, b.Key)
		if byKey {
			first, second = second, first
		}
		if first != 0 {
			return first < 0
		}
		return second < 0
	})
}

// layouts gives the map's key and value layouts; a map declared with sizes
// only (no BTF types) is shown as bytes.
func layouts(m Map) (key, value *Layout, err error) {
	key, value = m.Key, m.Value
	if key == nil {
		key = bytesLayout(m.KeySize)
	}
	if value == nil {
		value = bytesLayout(m.ValueSize)
	}
	return key, value, nil
}

func bytesLayout(size int) *Layout {
	return &Layout{Size: size, Fields: []Field{{Kind: KindBytes, Size: size}}}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// PrintItems prints a map's items as an aligned table, key columns then
// value columns (struct fields by name, a plain key or value as KEY and
// VALUE), or as JSON lines {"map":..,"key":..,"value":..}.
func PrintItems(w io.Writer, m Map, items []Item, json bool) error {
	var b bytes.Buffer
	if json {
		for _, it := range items {
			b.WriteString(`{"map":`)
			b.Write(textsafe.AppendJSON(nil, m.Name))
			b.WriteString(`,"key":`)
			b.Write(it.Key.AppendJSON(nil))
			b.WriteString(`,"value":`)
			b.Write(it.Value.AppendJSON(nil))
			b.WriteString("}\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	}
	if len(items) == 0 {
		return nil
	}
	var rows [][]string
	var head []string
	for _, f := range items[0].Key {
		head = append(head, columnName(f.Name, "KEY"))
	}
	for _, f := range items[0].Value {
		head = append(head, columnName(f.Name, "VALUE"))
	}
	rows = append(rows, head)
	for _, it := range items {
		var row []string
		for _, f := range it.Key {
			row = append(row, f.Value.String())
		}
		for _, f := range it.Value {
			row = append(row, f.Value.String())
		}
		rows = append(rows, row)
	}
	writeTable(&b, rows)
	_, err := w.Write(b.Bytes())
	return err
}

func columnName(name, plain string) string {
	if name == "" {
		return plain
	}
	return header(name)
}

// writeTable left-aligns every column to its widest cell.
func writeTable(b *bytes.Buffer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len(c)+1))
			}
		}
		b.WriteByte('\n')
	}
}

// compareRecords orders records field by field.
func compareRecords(a, b Record) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareValues(a[i].Value, b[i].Value); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

func compareValues(a, b Value) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	switch a.Kind {
	case KindInt:
		return cmp3(a.Int < b.Int, a.Int > b.Int)
	case KindFloat:
		return cmp3(a.Float < b.Float, a.Float > b.Float)
	case KindText, KindBytes:
		return strings.Compare(a.Text, b.Text)
	case KindAddress:
		x, errA := netip.ParseAddr(a.Text)
		y, errB := netip.ParseAddr(b.Text)
		if errA != nil || errB != nil {
			return strings.Compare(a.Text, b.Text)
		}
		return x.Compare(y)
	case KindList:
		for i := 0; i < len(a.List) && i < len(b.List); i++ {
			if c := compareValues(a.List[i], b.List[i]); c != 0 {
				return c
			}
		}
		return len(a.List) - len(b.List)
	case KindRecord:
		return compareRecords(a.Fields, b.Fields)
	}
	return cmp3(a.Uint < b.Uint, a.Uint > b.Uint)
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}
