package runplan

import (
	"bytes"
	"debug/elf"
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

// FromObject reads the plan an object carries; nil when it has none.
func FromObject(obj []byte) (*Plan, error) {
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
	b, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("its %s section cannot be read: %w", ObjectSection, err)
	}
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

// check rejects kinds run does not know (a damaged or foreign plan).
func (p Plan) check() error {
	var attach func(as []Attach) error
	attach = func(as []Attach) error {
		for _, a := range as {
			switch a.Kind {
			case Kprobe, Kretprobe, Fentry, Fexit, Tracepoint, RawTracepoint, Uprobe, Uretprobe:
			default:
				return fmt.Errorf("unknown attach kind %q", a.Kind)
			}
			if a.Program == "" {
				return fmt.Errorf("an attach of %s %s names no program", a.Kind, a.Target)
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
	}
	if p.Interval < 0 {
		return fmt.Errorf("negative interval %v", p.Interval)
	}
	return nil
}
