package examples_test

// The examples decode the C structs they receive with Go structs and
// binary.Read (no offsets written by hand). binary.Read packs fields one
// after another, without the alignment padding a C compiler inserts, so
// the Go struct must spell padding out as _ fields. This test reads each Go
// struct from the example's main.go, lays it out as binary.Read does, and
// compares it with the C struct as clang laid it out, from the object's BTF.

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// btfStruct is the part of `bpftool -j btf dump` output this test reads.
type btfType struct {
	ID      int    `json:"id"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	TypeID  int    `json:"type_id"`  // ARRAY, TYPEDEF, CONST, VOLATILE
	NrElems int64  `json:"nr_elems"` // ARRAY
	Members []struct {
		Name       string `json:"name"`
		TypeID     int    `json:"type_id"`
		BitsOffset int64  `json:"bits_offset"`
	} `json:"members"`
}

// sizeOf is a BTF type's size in bytes.
func sizeOf(t *testing.T, types map[int]btfType, id int) int64 {
	typ := types[id]
	switch typ.Kind {
	case "INT", "STRUCT", "UNION", "ENUM", "ENUM64":
		return typ.Size
	case "ARRAY":
		return typ.NrElems * sizeOf(t, types, typ.TypeID)
	case "TYPEDEF", "CONST", "VOLATILE", "RESTRICT":
		return sizeOf(t, types, typ.TypeID)
	case "PTR":
		return 8
	}
	t.Fatalf("BTF type %d: kind %q not handled", id, typ.Kind)
	return 0
}

func TestGoStructsMatchBTF(t *testing.T) {
	if _, err := exec.LookPath("bpftool"); err != nil {
		testenv.Skip(t, "bpftool not installed (run make setup)")
	}
	for _, tt := range []struct{ dir, goType, cStruct string }{
		{"02-trace-open", "event", "data_t"},
		{"03-ring-buffer", "event", "data_t"},
		{"solutions/2-pid-filter", "event", "data_t"},
		{"solutions/3-uid", "event", "data_t"},
		{"solutions/4-ring-drops", "event", "data_t"},
		{"solutions/5-count-opens", "processCount", "count_t"},
	} {
		t.Run(tt.dir, func(t *testing.T) {
			object := filepath.Join(tt.dir, "trace_open.bpf.o")
			if _, err := os.Stat(object); err != nil {
				testenv.Skip(t, object+" not built: run make examples")
			}
			c, btf := findStruct(t, object, tt.cStruct)
			goStruct, sizes := goStructOf(t, filepath.Join(tt.dir, "main.go"), tt.goType)
			// binary.Read's layout: each field right after the previous one.
			type field struct {
				name         string
				offset, size int64
			}
			var fields []field
			var end int64
			for i := 0; i < goStruct.NumFields(); i++ {
				f := goStruct.Field(i)
				size := sizes.Sizeof(f.Type())
				if f.Name() != "_" { // padding: skipped by binary.Read
					fields = append(fields, field{f.Name(), end, size})
				}
				end += size
			}
			if len(fields) != len(c.Members) {
				t.Fatalf("Go %s has %d fields, C struct %s has %d", tt.goType, len(fields), tt.cStruct, len(c.Members))
			}
			for i, m := range c.Members {
				f := fields[i]
				if !strings.EqualFold(f.name, m.Name) {
					t.Errorf("field %d: Go %s, C %s", i, f.name, m.Name)
				}
				if f.offset*8 != m.BitsOffset {
					t.Errorf("%s: at byte %d for binary.Read, at byte %d in C", m.Name, f.offset, m.BitsOffset/8)
				}
				if cSize := sizeOf(t, btf, m.TypeID); f.size != cSize {
					t.Errorf("%s: Go %d bytes, C %d bytes", m.Name, f.size, cSize)
				}
			}
			if end > c.Size {
				t.Errorf("Go %s needs %d bytes, C struct %s has %d", tt.goType, end, tt.cStruct, c.Size)
			}
		})
	}
}

// goStructOf type-checks the named struct type of a main.go on its own
// (its fields use only Go's basic types and arrays).
func goStructOf(t *testing.T, file, name string) (*types.Struct, types.Sizes) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	src.WriteString("package p\n")
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == name {
			src.WriteString("type ")
			printer.Fprint(&src, fset, ts)
			src.WriteString("\n")
		}
		return true
	})
	one, err := parser.ParseFile(fset, "struct.go", src.Bytes(), 0)
	if err != nil {
		t.Fatalf("type %s in %s: %v", name, file, err)
	}
	sizes := types.SizesFor("gc", runtime.GOARCH)
	conf := types.Config{Importer: importer.Default(), Sizes: sizes}
	pkg, err := conf.Check("p", fset, []*ast.File{one}, nil)
	if err != nil {
		t.Fatalf("type %s in %s: %v", name, file, err)
	}
	obj := pkg.Scope().Lookup(name)
	if obj == nil {
		t.Fatalf("no type %s in %s", name, file)
	}
	s, ok := obj.Type().Underlying().(*types.Struct)
	if !ok {
		t.Fatalf("%s in %s is not a struct", name, file)
	}
	return s, sizes
}

// findStruct returns the named struct from an object's BTF, and all its types by id.
func findStruct(t *testing.T, object, name string) (btfType, map[int]btfType) {
	t.Helper()
	out, err := exec.Command("bpftool", "-j", "btf", "dump", "file", object).Output()
	if err != nil {
		t.Fatalf("bpftool btf dump %s: %v", object, err)
	}
	var dump struct {
		Types []btfType `json:"types"`
	}
	if err := json.Unmarshal(out, &dump); err != nil {
		t.Fatalf("parse bpftool output: %v", err)
	}
	byID := map[int]btfType{}
	for _, typ := range dump.Types {
		byID[typ.ID] = typ
	}
	for _, typ := range dump.Types {
		if typ.Kind == "STRUCT" && typ.Name == name {
			return typ, byID
		}
	}
	t.Fatalf("struct %s not in %s's BTF (a pointer to it as a global keeps it there)", name, object)
	return btfType{}, nil
}
