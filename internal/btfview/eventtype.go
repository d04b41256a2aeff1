package btfview

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// EventType finds the struct of the events a program sends through the
// perf event array or ring buffer called mapName. Those maps carry no
// value type, so the struct is found, in this order:
//
//  1. by name, when the user or the BCC front end gives one (typeName);
//  2. by a marker: a global pointer to the struct, as libbpf-bootstrap
//     declares `const struct event *unused __attribute__((unused));` to keep
//     the struct in the object's BTF. With several markers, the one whose
//     variable name contains mapName (e.g. unused_events for events);
//  3. by BCC's and libbpf-tools' usual names: struct event, data_t,
//     <mapName>_event.
//
// Otherwise the error says which markers or names were seen and how to
// point at the struct.
func (o *Object) EventType(mapName, typeName string) (*Layout, error) {
	if typeName != "" {
		return found(o.Struct(strings.TrimPrefix(typeName, "struct ")))("by name (--event-type or the script)")
	}
	markers, err := o.markers()
	if err != nil {
		return nil, err
	}
	if len(markers) == 1 {
		return found(NewLayout(markers[0].target, o.order))("by the marker " + markers[0].name + ", a global that points at it")
	}
	var named []marker
	for _, m := range markers {
		if mapName != "" && strings.Contains(m.name, mapName) {
			named = append(named, m)
		}
	}
	if len(named) == 1 {
		return found(NewLayout(named[0].target, o.order))("by the marker " + named[0].name + ", a global that points at it, named after the map")
	}
	if len(markers) > 1 {
		var names []string
		for _, m := range markers {
			names = append(names, m.name+" (struct "+m.target.TypeName()+")")
		}
		return nil, fmt.Errorf("map %s: %d event structs are marked (%s): name the marker after the map, e.g. unused_%s, or give the type", mapName, len(markers), strings.Join(names, ", "), mapName)
	}
	for _, name := range []string{mapName + "_event", "event", "data_t"} {
		if l, err := o.Struct(name); err == nil {
			return found(l, nil)("by its usual name, struct " + name)
		}
	}
	return nil, fmt.Errorf("map %s: cannot tell which struct its events are: declare `const struct YOUR_EVENT *unused_%s __attribute__((unused));` next to the map (or name the type)", mapName, mapName)
}

// found records how a layout was found (Layout.Found), before what Struct
// may have said about DWARF.
func found(l *Layout, err error) func(how string) (*Layout, error) {
	return func(how string) (*Layout, error) {
		if l != nil {
			if l.Found != "" {
				how += "; " + l.Found
			}
			l.Found = how
		}
		return l, err
	}
}

type marker struct {
	name   string
	target btf.Type // the struct
}

// markers lists global pointer variables to named structs, by name.
func (o *Object) markers() ([]marker, error) {
	var found []marker
	for t, err := range o.spec.All() {
		if err != nil {
			return nil, err
		}
		sec, ok := t.(*btf.Datasec)
		if !ok || sec.Name == ".maps" {
			continue
		}
		for _, v := range sec.Vars {
			vr, ok := v.Type.(*btf.Var)
			if !ok {
				continue
			}
			ptr, ok := btf.As[*btf.Pointer](vr.Type)
			if !ok {
				continue
			}
			switch target := btf.UnderlyingType(ptr.Target).(type) {
			case *btf.Struct:
				if target.Name != "" {
					found = append(found, marker{vr.Name, target})
				}
			}
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	return found, nil
}

// SumPerCPU adds up a per-CPU map value: the kernel returns one value per
// possible CPU, each padded to 8 bytes. Integer fields are summed (as BCC
// scripts do with sum(v.value for v in vals)); other fields come from the
// first CPU.
// A map without a BTF value type (l nil) gives the first CPU's value.
func SumPerCPU(l *Layout, raw []byte, ncpu int) ([]byte, error) {
	if l == nil {
		if ncpu <= 0 || len(raw) < ncpu {
			return nil, errors.New("per-CPU value shorter than one value per CPU")
		}
		return raw[:len(raw)/ncpu], nil
	}
	stride := (l.Size + 7) &^ 7
	if ncpu <= 0 || len(raw) < stride*ncpu {
		return nil, errors.New("per-CPU value shorter than one value per CPU")
	}
	sum := append([]byte(nil), raw[:l.Size]...)
	l.sumFields(l.Fields, 0, raw, stride, ncpu, sum)
	return sum, nil
}

// sumFields fills sum[base:] from every CPU's copy of fields: integers
// added, integer arrays (a histogram's slots) element by element, and
// anything else (text, bytes) the first CPU's that is not all zero.
func (l *Layout) sumFields(fields []Field, base int, raw []byte, stride, ncpu int, sum []byte) {
	for _, f := range fields {
		off := base + f.Offset
		switch {
		case (f.Kind == KindUint || f.Kind == KindInt) && f.BitSize == 0:
			var total uint64
			for cpu := 0; cpu < ncpu; cpu++ {
				v, ok := l.uint(raw[cpu*stride+off : cpu*stride+off+f.Size])
				if !ok {
					break
				}
				total += v
			}
			l.putUint(sum[off:off+f.Size], total)
		case f.Kind == KindList && f.Elem != nil:
			for i := 0; i < f.Len; i++ {
				l.sumFields(f.Elem.Fields, off+i*f.Size, raw, stride, ncpu, sum)
			}
		case f.BitSize == 0:
			n := f.Size
			if f.Kind == KindText {
				n = f.Len
			}
			for cpu := 0; cpu < ncpu; cpu++ {
				if b := raw[cpu*stride+off : cpu*stride+off+n]; slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) {
					copy(sum[off:off+n], b)
					break
				}
			}
		}
	}
}

// putUint writes v in b's size, in the layout's byte order.
func (l *Layout) putUint(b []byte, v uint64) {
	switch len(b) {
	case 1:
		b[0] = byte(v)
	case 2:
		l.order.PutUint16(b, uint16(v))
	case 4:
		l.order.PutUint32(b, uint32(v))
	case 8:
		l.order.PutUint64(b, v)
	}
}
