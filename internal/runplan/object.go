package runplan

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
)

// ObjectSection is the ELF section of a compiled object that carries its
// plan, so that an object compiled from a BCC program (run --emit-object)
// runs on a machine without clang exactly as the program does there. It is
// not allocated and holds no program or map: libbpf skips it.
const ObjectSection = ".ebpf_hello.plan"

// ObjectAsm is a top-level asm statement that, appended to the C, makes
// clang put the plan (as JSON) into ObjectSection. Doing it in the C keeps
// the object as clang wrote it: no ELF rewriting afterwards.
func (p Plan) ObjectAsm() string {
	b, err := json.Marshal(p)
	if err != nil { // plain data: cannot happen
		panic(err)
	}
	// The assembler's string: printable ASCII as is, the rest as octal
	// escapes; then the whole as a C string literal.
	var as strings.Builder
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			as.WriteString(`\` + string(c))
		case c >= 0x20 && c < 0x7f:
			as.WriteByte(c)
		default:
			fmt.Fprintf(&as, `\%03o`, c)
		}
	}
	text := ".pushsection " + ObjectSection + ",\"\",@progbits\n.ascii \"" + as.String() + "\"\n.popsection"
	text = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(text)
	return "\n/* ebpf-hello run: the plan above, kept in the object (section " + ObjectSection + "). */\nasm(\"" + text + "\");\n"
}

// MaxSection is the largest plan section FromObject reads: a plan is a few
// kilobytes of JSON, and a compressed section could claim any size.
const MaxSection = 1 << 20

// FromObject reads the plan an object carries; nil when it has none.
func FromObject(obj []byte) (*Plan, error) {
	if err := tablesFit(obj); err != nil {
		return nil, fmt.Errorf("not a BPF object: %w", err)
	}
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("not a BPF object: %w", err)
	}
	defer f.Close()
	s := f.Section(ObjectSection)
	if s == nil {
		return nil, nil
	}
	if s.Type != elf.SHT_PROGBITS {
		return nil, fmt.Errorf("its %s section is not a plan: section type %s", ObjectSection, s.Type)
	}
	if s.Size > MaxSection {
		return nil, fmt.Errorf("its %s section is not a plan: %d bytes, more than a plan's 1 MiB", ObjectSection, s.Size)
	}
	b, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("its %s section cannot be read: %w", ObjectSection, err)
	}
	return fromSection(b)
}

// tablesFit checks that the ELF header's program and section header tables
// lie within obj. debug/elf allocates what the header claims (up to 10 MB
// at a time) before finding out they do not: a damaged header costs a
// millisecond, which made fuzzing FromObject crawl.
func tablesFit(obj []byte) error {
	if len(obj) < elf.EI_NIDENT || string(obj[:4]) != elf.ELFMAG {
		return nil // debug/elf says what is wrong
	}
	var bo binary.ByteOrder
	switch elf.Data(obj[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return nil
	}
	size := uint64(len(obj))
	var phoff, shoff uint64
	var at int                              // where e_phentsize is; e_phnum, e_shentsize, e_shnum follow
	var sectionSize func(off uint64) uint64 // sh_size of the section header at off
	switch elf.Class(obj[elf.EI_CLASS]) {
	case elf.ELFCLASS64:
		if size < 64 {
			return nil
		}
		phoff, shoff, at = bo.Uint64(obj[32:]), bo.Uint64(obj[40:]), 54
		sectionSize = func(off uint64) uint64 { return bo.Uint64(obj[off+32:]) }
	case elf.ELFCLASS32:
		if size < 52 {
			return nil
		}
		phoff, shoff, at = uint64(bo.Uint32(obj[28:])), uint64(bo.Uint32(obj[32:])), 42
		sectionSize = func(off uint64) uint64 { return uint64(bo.Uint32(obj[off+20:])) }
	default:
		return nil
	}
	phentsize, phnum := uint64(bo.Uint16(obj[at:])), uint64(bo.Uint16(obj[at+2:]))
	shentsize, shnum := uint64(bo.Uint16(obj[at+4:])), uint64(bo.Uint16(obj[at+6:]))
	fits := func(off, n, entsize uint64) bool {
		return off <= size && (n == 0 || entsize <= (size-off)/n)
	}
	if !fits(phoff, phnum, phentsize) {
		return fmt.Errorf("its %d program headers do not fit in its %d bytes", phnum, size)
	}
	if shnum == 0 && shoff != 0 && fits(shoff, 1, shentsize) && shentsize >= 40 {
		shnum = sectionSize(shoff) // over 0xff00 sections: the count is section 0's size
	}
	if !fits(shoff, shnum, shentsize) {
		return fmt.Errorf("its %d section headers do not fit in its %d bytes", shnum, size)
	}
	return nil
}

// fromSection reads the plan section's bytes: one JSON plan, nothing after
// it, no field run does not know, and only kinds and names run accepts.
func fromSection(b []byte) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("its %s section is not a plan: %w", ObjectSection, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("its %s section is not a plan: data after the plan", ObjectSection)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("its %s section is not a plan: %w", ObjectSection, err)
	}
	return &p, nil
}

// check rejects kinds run does not know and tracepoint names that are not
// names (a damaged or foreign plan).
func (p Plan) check() error {
	var attach func(as []Attach) error
	attach = func(as []Attach) error {
		for _, a := range as {
			if !a.Kind.Known() {
				return fmt.Errorf("unknown attach kind %q", a.Kind)
			}
			if a.Program == "" {
				return fmt.Errorf("an attach of %s %q names no program", a.Kind, a.Target)
			}
			if a.Kind == Tracepoint && a.Target != "" {
				if err := ValidTracepointTarget(a.Target); err != nil {
					return fmt.Errorf("program %q: %w", a.Program, err)
				}
			}
			if err := attach(a.Fallback); err != nil {
				return err
			}
		}
		return nil
	}
	if err := attach(p.Attach); err != nil {
		return err
	}
	for _, o := range p.Outputs {
		switch o.Kind {
		case TracePipe, Events, Items, Log2Hist, LinearHist:
		default:
			return fmt.Errorf("unknown output kind %q", o.Kind)
		}
		if o.Pages < 0 || o.Pages > MaxPages || o.Pages&(o.Pages-1) != 0 {
			return fmt.Errorf("output %q: %d pages is not a power of two up to %d", o.Map, o.Pages, MaxPages)
		}
	}
	if p.Interval < 0 {
		return fmt.Errorf("negative interval %v", p.Interval)
	}
	for _, w := range p.MapWrites {
		if err := w.check(); err != nil {
			return err
		}
	}
	return nil
}
