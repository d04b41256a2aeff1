package event

import (
	"fmt"
	"github.com/cilium/ebpf/btf"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// events are the C structs and their Go mirrors, with the objects they are compiled into.
var events = []struct {
	objects []string
	cName   string
	goType  reflect.Type
}{
	{[]string{"open_perf.bpf.o", "open_ring.bpf.o"}, "open_event", reflect.TypeOf(rawOpen{})},
	{[]string{"exec.bpf.o"}, "exec_event", reflect.TypeOf(rawExec{})},
}

// TestEventsMatchBTF checks each Go mirror against its C struct as the
// compiler laid it out in each compiled object (read with cilium/ebpf's BTF
// reader, run's own): same size, same fields in the same order at the same
// offsets.
func TestEventsMatchBTF(t *testing.T) {
	for _, ev := range events {
		for _, obj := range ev.objects {
			t.Run(obj, func(t *testing.T) { checkStruct(t, obj, ev.cName, ev.goType) })
		}
	}
}

func checkStruct(t *testing.T, obj, cName string, goType reflect.Type) {
	path := filepath.Join("..", "..", "bpf", obj)
	if _, err := os.Stat(path); err != nil {
		testenv.Skip(t, path+" not built (run make bpf)")
	}
	spec, err := btf.LoadSpec(path)
	if err != nil {
		t.Fatalf("BTF of %s: %v", path, err)
	}
	var c *btf.Struct
	if err := spec.TypeByName(cName, &c); err != nil {
		t.Fatalf("struct %s in %s: %v", cName, obj, err)
	}
	if c.Size != uint32(goType.Size()) {
		t.Errorf("size: C %d bytes, Go %d bytes", c.Size, goType.Size())
	}
	if len(c.Members) != goType.NumField() {
		t.Fatalf("fields: C has %d, Go has %d", len(c.Members), goType.NumField())
	}
	for i, m := range c.Members {
		f := goType.Field(i)
		if want := snakeCase(f.Name); m.Name != want {
			t.Errorf("field %d: C %q, Go %s (expected C name %q)", i, m.Name, f.Name, want)
		}
		if m.Offset.Bytes() != uint32(f.Offset) || m.BitfieldSize != 0 {
			t.Errorf("field %s: C offset %d bits, Go offset %d bytes", m.Name, m.Offset, f.Offset)
		}
		if err := sameType(m.Type, f.Type); err != nil {
			t.Errorf("field %s: %v", m.Name, err)
		}
	}
}

// sameType checks a member's C type against the Go field's: integers of
// the same size and signedness, arrays of the same length of such (char
// arrays are bytes in Go, whatever char's sign).
func sameType(c btf.Type, goType reflect.Type) error {
	switch c := btf.UnderlyingType(c).(type) {
	case *btf.Int:
		if c.Size != uint32(goType.Size()) {
			return fmt.Errorf("C %s is %d bytes, Go %s %d", c.Name, c.Size, goType, goType.Size())
		}
		if goType.Kind() == reflect.Uint8 && c.Name == "char" {
			return nil // text
		}
		signed := c.Encoding == btf.Signed
		goSigned := goType.Kind() >= reflect.Int && goType.Kind() <= reflect.Int64
		if signed != goSigned {
			return fmt.Errorf("C %s is signed %v, Go %s is signed %v", c.Name, signed, goType, goSigned)
		}
		return nil
	case *btf.Array:
		if goType.Kind() != reflect.Array || goType.Len() != int(c.Nelems) {
			return fmt.Errorf("C array of %d, Go %s", c.Nelems, goType)
		}
		return sameType(c.Type, goType.Elem())
	default:
		return fmt.Errorf("C %s: not checked by this test (add it)", c)
	}
}

// snakeCase maps Go field names to C ones: TsNs → ts_ns, PID → pid, NameErr → name_err.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 && !unicode.IsUpper(rune(s[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// TestConstantsMatchBTF checks the Go copies of open.h's and exec.h's
// constants against the enums the compiler put into the objects' BTF.
func TestConstantsMatchBTF(t *testing.T) {
	openWant := map[string]uint64{
		"COMM_LEN":         TaskCommLen,
		"FNAME_LEN":        FnameLen,
		"EVENT_HAS_RET":    flagHasRet,
		"EVENT_NAME_CUT":   flagNameCut,
		"DROP_BUFFER_FULL": DropBufferFull,
		"DROP_STASH_FULL":  DropStashFull,
		"INVALID_UID":      InvalidUID,
	}
	execWant := map[string]uint64{
		"EXEC_COMM_LEN":           ExecCommLen,
		"EXEC_FILE_LEN":           ExecFileLen,
		"EXEC_ARG_LEN":            ExecArgLen,
		"EXEC_MAX_ARGS":           ExecMaxArgs,
		"EXEC_ARGS_SIZE":          ExecArgsSize,
		"EXEC_DROP_BUFFER_FULL":   ExecDropBufferFull,
		"EXEC_DROP_INFLIGHT_FULL": ExecDropInflightFull,
		"EXEC_INVALID_UID":        ExecInvalidUID,
		"EXEC_FILE_CUT":           execFileCut,
		"EXEC_FILE_UNREADABLE":    execFileUnreadable,
		"EXEC_ARGS_MORE":          execArgsMore,
		"EXEC_ARGS_UNREADABLE":    execArgsUnreadable,
	}
	for obj, want := range map[string]map[string]uint64{"open_perf.bpf.o": openWant, "open_ring.bpf.o": openWant, "exec.bpf.o": execWant} {
		path := filepath.Join("..", "..", "bpf", obj)
		if _, err := os.Stat(path); err != nil {
			testenv.Skip(t, path+" not built (run make bpf)")
		}
		spec, err := btf.LoadSpec(path)
		if err != nil {
			t.Fatalf("BTF of %s: %v", path, err)
		}
		seen := map[string]bool{}
		for typ := range spec.All() {
			e, ok := typ.(*btf.Enum)
			if !ok {
				continue
			}
			for _, v := range e.Values {
				w, ok := want[v.Name]
				if !ok {
					continue
				}
				seen[v.Name] = true
				// Enumerators are 32 bits wide (0xffffffffu may be read back sign-extended).
				if uint32(v.Value) != uint32(w) {
					t.Errorf("%s: %s is %d in C, %d in Go", obj, v.Name, uint32(v.Value), w)
				}
			}
		}
		for name := range want {
			if !seen[name] {
				t.Errorf("%s: enumerator %s not in the object's BTF", obj, name)
			}
		}
	}
}
