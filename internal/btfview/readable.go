package btfview

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/ebpf-hello/ebpf-hello/internal/valuenames"
)

// Meaning is what an integer field stands for beyond its number, decided
// from the field's type and name (MakeReadable), as the upstream tools'
// loaders would print it: a learner's program has no loader.
type Meaning uint8

// The meanings a field can have.
const (
	MeanNumber    Meaning = iota // a plain number
	MeanIPv4                     // 4 bytes of an IPv4 address, network order
	MeanIPv6                     // 16 bytes of an IPv6 address
	MeanIP                       // 16 bytes: IPv4 (the first 4) or IPv6, by the family field
	MeanNetOrder                 // a __be16/__be32 or a port in network order: shown in host order
	MeanErrno                    // a return value or error: negative is -errno
	MeanSignal                   // a signal number
	MeanSyscall                  // a syscall number
	MeanOpenFlags                // open(2) flags
	MeanTCPState                 // a TCP state (enum tcp_state as an int)
)

// Linux's address families.
const (
	afInet  = 2
	afInet6 = 10
)

// ReadableNotes are MakeReadable's decisions a learner may want to know
// about, one short line each.
type ReadableNotes []string

// MakeReadable decides each field's Meaning from its type and name, so
// that Decode gives addresses as text, network-order numbers in host
// order, and errno values, signals, syscalls, open flags and TCP states
// with their names (Value.Name). networkOrder names port fields (the last
// part of their name, "dport") that the program's source fills in network
// order (runplan.NetworkOrderFields). A union of an IPv4 and an IPv6
// address (saddr_v4 / saddr_v6) next to a family field becomes one field
// (saddr) shown by the family. It returns what it decided that is not
// plain from the field's type.
func (l *Layout) MakeReadable(networkOrder []string) ReadableNotes {
	var notes ReadableNotes
	family := l.familyField()
	l.mergeAddressUnions(family)
	family = l.familyField() // indexes moved
	network := l.hasNetworkField()
	fileName := l.hasFileName()
	for i := range l.Fields {
		f := &l.Fields[i]
		if f.Meaning == MeanIP { // set by mergeAddressUnions
			f.Family = family
			continue
		}
		f.Meaning = meaningOf(f, family >= 0, network, fileName, networkOrder)
		switch f.Meaning {
		case MeanIP:
			f.Family = family
		case MeanNetOrder:
			if !isBigEndianType(f.BTF) {
				notes = append(notes, f.Name+" is filled in network order by the program: shown in host order")
			}
		}
	}
	return notes
}

// lastName is the last part of a dotted field name, lower case.
func lastName(name string) string {
	return strings.ToLower(name[strings.LastIndex(name, ".")+1:])
}

func (l *Layout) familyField() int {
	for i, f := range l.Fields {
		if (f.Kind == KindUint || f.Kind == KindInt) && f.BitSize == 0 && f.Size <= 4 {
			n := lastName(f.Name)
			if n == "af" || strings.HasSuffix(n, "family") {
				return i
			}
		}
	}
	return -1
}

// hasNetworkField: a port or family field says the struct is about sockets.
func (l *Layout) hasNetworkField() bool {
	for _, f := range l.Fields {
		n := lastName(f.Name)
		if strings.HasSuffix(n, "port") || n == "af" || strings.HasSuffix(n, "family") {
			return true
		}
	}
	return false
}

// hasFileName: flags next to a file name are open(2)'s.
func (l *Layout) hasFileName() bool {
	for _, f := range l.Fields {
		if f.Kind != KindText {
			continue
		}
		switch lastName(f.Name) {
		case "fname", "filename", "file", "path", "pathname", "name":
			return true
		}
	}
	return false
}

// addressBytes is how many bytes an address-like field holds (4 or 16),
// or 0: a 4-byte integer, or a 4- or 16-byte array or integer (__int128).
func addressBytes(f *Field) int {
	if f.BitSize != 0 {
		return 0
	}
	total := f.Size
	switch f.Kind {
	case KindList:
		if len(f.Elem.Fields) != 1 || f.Elem.Fields[0].Kind != KindUint {
			return 0
		}
		total = f.Size * f.Len
	case KindUint, KindInt, KindBytes:
	default:
		return 0
	}
	if total == 4 || total == 16 {
		return total
	}
	return 0
}

// isAddressName: saddr, daddr, addr_v4, src_ip, ...; a plain "addr" only
// in a struct about sockets.
func isAddressName(n string, network bool) bool {
	for _, not := range []string{"len", "size", "count", "cnt", "family", "type", "num"} {
		if strings.Contains(n, not) { // addrlen, sockaddr_len: a number about an address
			return false
		}
	}
	switch {
	case strings.Contains(n, "addr"):
		return network || n != "addr" && !strings.HasPrefix(n, "addr")
	case n == "ip" || n == "sip" || n == "dip" || strings.HasSuffix(n, "_ip") || strings.HasPrefix(n, "ip_"):
		return true
	}
	return false
}

func meaningOf(f *Field, family, network, fileName bool, networkOrder []string) Meaning {
	n := lastName(f.Name)
	if size := addressBytes(f); size > 0 && isAddressName(n, network) {
		switch {
		case size == 4:
			return MeanIPv4
		case strings.Contains(n, "v6") || strings.Contains(n, "6"):
			return MeanIPv6
		case family:
			return MeanIP
		}
		return MeanIPv6
	}
	if f.Kind != KindUint && f.Kind != KindInt || f.BitSize != 0 {
		return MeanNumber
	}
	if isBigEndianType(f.BTF) && (f.Size == 2 || f.Size == 4 || f.Size == 8) {
		return MeanNetOrder
	}
	if f.Size == 2 && strings.HasSuffix(n, "port") {
		for _, p := range networkOrder {
			if strings.EqualFold(p, n) {
				return MeanNetOrder
			}
		}
	}
	switch {
	case n == "ret" || n == "retval" || n == "rc" || n == "err" || n == "error" || n == "errno" ||
		strings.HasSuffix(n, "_ret") || strings.HasSuffix(n, "_err") || strings.HasSuffix(n, "_errno"):
		return MeanErrno
	case n == "sig" || n == "signal" || n == "signo" || n == "signum" || n == "sig_no" || strings.HasSuffix(n, "_sig") || strings.HasSuffix(n, "_signal"):
		return MeanSignal
	case n == "nr" || n == "syscall" || n == "sysnr" || n == "syscall_id" || n == "syscall_nr" || n == "sys_nr" || n == "sc_nr":
		return MeanSyscall
	case fileName && (n == "flags" || n == "flag" || n == "oflags" || n == "open_flags"):
		return MeanOpenFlags
	case network && (n == "state" || strings.HasSuffix(n, "state")):
		return MeanTCPState
	}
	return MeanNumber
}

// isBigEndianType: the kernel's __be16/__be32/__be64 typedefs (or
// BCC's be16...), network order by declaration.
func isBigEndianType(t btf.Type) bool {
	for t != nil {
		switch t.TypeName() {
		case "__be16", "__be32", "__be64", "be16", "be32", "be64":
			return true
		}
		q := btf.QualifiedType(t)
		if td, ok := q.(*btf.Typedef); ok {
			t = td.Type
			continue
		}
		if q == t {
			return false
		}
		t = q
	}
	return false
}

// mergeAddressUnions turns a union of an IPv4 and an IPv6 address at one
// offset (saddr_v4 / saddr_v6, as libbpf-tools' events hold them) into one
// field shown by the family, when there is a family field to tell.
func (l *Layout) mergeAddressUnions(family int) {
	if family < 0 {
		return
	}
	network := l.hasNetworkField()
	for i := 0; i < len(l.Fields); i++ {
		a := &l.Fields[i]
		if addressBytes(a) != 4 || !isAddressName(lastName(a.Name), network) {
			continue
		}
		for j := range l.Fields {
			b := &l.Fields[j]
			if j == i || b.Offset != a.Offset || addressBytes(b) != 16 || !isAddressName(lastName(b.Name), network) {
				continue
			}
			b.Name = addressStem(b.Name)
			b.Meaning = MeanIP
			l.Fields = append(l.Fields[:i], l.Fields[i+1:]...)
			i--
			break
		}
	}
}

// addressStem drops a version suffix: saddr_v6 -> saddr.
func addressStem(name string) string {
	for _, s := range []string{"_v6", "_v4", "v6", "6"} {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return name[:len(name)-len(s)]
		}
	}
	return name
}

// readable gives v, field f's decoded value, its meaning; b is the whole
// sample, for the family field.
func (l *Layout) readable(f *Field, v Value, b []byte) Value {
	switch f.Meaning {
	case MeanIPv4, MeanIPv6, MeanIP:
		raw := b[f.Offset:]
		size := 16
		if f.Meaning == MeanIPv4 {
			size = 4
		}
		if len(raw) < size {
			return v
		}
		raw = raw[:size]
		if f.Meaning == MeanIP {
			if f.Family < 0 || f.Family >= len(l.Fields) {
				return v
			}
			fam, err := l.Fields[f.Family].decode(b, l)
			if err != nil {
				return v
			}
			switch fam.Uint | uint64(fam.Int) {
			case afInet:
				raw = raw[:4]
			case afInet6:
			default:
				return v
			}
		}
		addr, _ := netip.AddrFromSlice(raw)
		return Value{Kind: KindAddress, Text: addr.String()}
	case MeanNetOrder:
		raw := b[f.Offset : f.Offset+f.Size]
		switch f.Size {
		case 2:
			v.Uint = uint64(binary.BigEndian.Uint16(raw))
		case 4:
			v.Uint = uint64(binary.BigEndian.Uint32(raw))
		case 8:
			v.Uint = binary.BigEndian.Uint64(raw)
		}
		if v.Kind == KindInt {
			v.Int = signExtend(v.Uint, f.Size*8)
		}
		return v
	}
	n := v.Int
	if v.Kind == KindUint {
		n = int64(v.Uint)
	}
	switch f.Meaning {
	case MeanErrno:
		switch {
		case n < 0:
			v.Name = valuenames.Errno(-n)
		case lastName(f.Name) == "errno":
			v.Name = valuenames.Errno(n)
		}
	case MeanSignal:
		v.Name = valuenames.Signal(n)
	case MeanSyscall:
		v.Name, v.NameOnly = valuenames.Syscall(n), true
	case MeanOpenFlags:
		if n >= 0 {
			v.Name, v.NameOnly = valuenames.OpenFlags(uint64(n)), true
		}
	case MeanTCPState:
		v.Name, v.NameOnly = valuenames.TCPState(n), true
	}
	return v
}

// Explain says, for run --explain, how each field with a meaning is shown
// and why: "saddr: an IPv4 address (4 bytes named like one)".
func (l *Layout) Explain() []string {
	var lines []string
	for _, f := range l.Fields {
		var why string
		switch f.Meaning {
		case MeanNumber:
			continue
		case MeanIPv4:
			why = "an IPv4 address (4 bytes named like an address)"
		case MeanIPv6:
			why = "an IPv6 address (16 bytes named like an address)"
		case MeanIP:
			fam := "the family field"
			if f.Family >= 0 && f.Family < len(l.Fields) {
				fam = l.Fields[f.Family].Name
			}
			why = "an IPv4 or IPv6 address, by " + fam + " (AF_INET or AF_INET6)"
		case MeanNetOrder:
			why = "in network order (a __be type, or a port the source reads from a socket): shown in host order"
		case MeanErrno:
			why = "a return value or error: negative numbers are -errno, shown with the name (-2 (ENOENT))"
		case MeanSignal:
			why = "a signal number, shown with its name"
		case MeanSyscall:
			why = "a syscall number, shown as the syscall's name"
		case MeanOpenFlags:
			why = "open(2) flags (next to a file name), shown as O_... names"
		case MeanTCPState:
			why = "a TCP state (in a socket event), shown as TCP_... names"
		}
		lines = append(lines, f.Name+": "+why)
	}
	return lines
}
