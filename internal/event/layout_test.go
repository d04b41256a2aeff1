package event

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// btfStruct is the part of `bpftool -j btf dump` output this test reads:
// structs, and the types of their members.
type btfStruct struct {
	ID       int    `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Size     int    `json:"size"`
	Encoding string `json:"encoding"` // INT: SIGNED, (none), BOOL, CHAR
	TypeID   int    `json:"type_id"`  // TYPEDEF, ARRAY (the element), CONST, VOLATILE
	NrElems  int    `json:"nr_elems"` // ARRAY
	Members  []struct {
		Name       string `json:"name"`
		TypeID     int    `json:"type_id"`
		BitsOffset int    `json:"bits_offset"`
	} `json:"members"`
}

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
// compiler laid it out in each compiled object: same size, same fields in
// the same order at the same offsets.
func TestEventsMatchBTF(t *testing.T) {
	if _, err := exec.LookPath("bpftool"); err != nil {
		testenv.Skip(t, "bpftool not installed (run make setup)")
	}
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
	c, types := findStruct(t, path, cName)
	if c.Size != int(goType.Size()) {
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
		if m.BitsOffset != int(f.Offset)*8 {
			t.Errorf("field %s: C offset %d, Go offset %d", m.Name, m.BitsOffset/8, f.Offset)
		}
		if err := sameType(types, m.TypeID, f.Type); err != nil {
			t.Errorf("field %s: %v", m.Name, err)
		}
	}
}

// sameType checks a member's C type against the Go field's: integers of
// the same size and signedness, arrays of the same length of such (char
// arrays are bytes in Go, whatever char's sign).
func sameType(types map[int]btfStruct, id int, goType reflect.Type) error {
	c := types[id]
	for c.Kind == "TYPEDEF" || c.Kind == "CONST" || c.Kind == "VOLATILE" {
		c = types[c.TypeID]
	}
	switch c.Kind {
	case "INT":
		if c.Size != int(goType.Size()) {
			return fmt.Errorf("C %s is %d bytes, Go %s %d", c.Name, c.Size, goType, goType.Size())
		}
		signed := c.Encoding == "SIGNED"
		goSigned := goType.Kind() >= reflect.Int && goType.Kind() <= reflect.Int64
		if goType.Kind() == reflect.Uint8 && c.Name == "char" {
			return nil // text
		}
		if signed != goSigned {
			return fmt.Errorf("C %s is signed %v, Go %s is signed %v", c.Name, signed, goType, goSigned)
		}
		return nil
	case "ARRAY":
		if goType.Kind() != reflect.Array || goType.Len() != c.NrElems {
			return fmt.Errorf("C array of %d, Go %s", c.NrElems, goType)
		}
		return sameType(types, c.TypeID, goType.Elem())
	}
	return fmt.Errorf("C %s %s: not checked by this test (add it)", c.Kind, c.Name)
}

func findStruct(t *testing.T, object, name string) (btfStruct, map[int]btfStruct) {
	t.Helper()
	out, err := exec.Command("bpftool", "-j", "btf", "dump", "file", object).Output()
	if err != nil {
		t.Fatalf("bpftool btf dump %s: %v", object, err)
	}
	var dump struct {
		Types []btfStruct `json:"types"`
	}
	if err := json.Unmarshal(out, &dump); err != nil {
		t.Fatalf("parse bpftool output: %v", err)
	}
	types := map[int]btfStruct{}
	for _, typ := range dump.Types {
		types[typ.ID] = typ
	}
	for _, typ := range dump.Types {
		if typ.Kind == "STRUCT" && typ.Name == name {
			return typ, types
		}
	}
	t.Fatalf("struct %s not in %s's BTF", name, object)
	return btfStruct{}, nil
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

// TestConstantsMatchBTF checks the Go copies of open.h's constants against
// the enums the compiler put into the object's BTF.
func TestConstantsMatchBTF(t *testing.T) {
	if _, err := exec.LookPath("bpftool"); err != nil {
		testenv.Skip(t, "bpftool not installed (run make setup)")
	}
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
		out, err := exec.Command("bpftool", "-j", "btf", "dump", "file", path).Output()
		if err != nil {
			t.Fatalf("bpftool btf dump %s: %v", path, err)
		}
		var dump struct {
			Types []struct {
				Kind   string `json:"kind"`
				Values []struct {
					Name string      `json:"name"`
					Val  json.Number `json:"val"`
				} `json:"values"`
			} `json:"types"`
		}
		if err := json.Unmarshal(out, &dump); err != nil {
			t.Fatalf("parse bpftool output: %v", err)
		}
		seen := map[string]bool{}
		for _, typ := range dump.Types {
			if typ.Kind != "ENUM" {
				continue
			}
			for _, v := range typ.Values {
				w, ok := want[v.Name]
				if !ok {
					continue
				}
				seen[v.Name] = true
				// Enumerators are 32 bits wide; bpftool prints 0xffffffffu sign-extended to 64.
				got, err := strconv.ParseUint(v.Val.String(), 10, 64)
				if err != nil {
					n, _ := strconv.ParseInt(v.Val.String(), 10, 64)
					got = uint64(n)
				}
				if uint32(got) != uint32(w) {
					t.Errorf("%s: %s is %d in C, %d in Go", obj, v.Name, uint32(got), w)
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
