package probe

/*
#include <stdlib.h>
#include "globals.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"syscall"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// variable is a global variable of a BPF object, from its BTF.
type variable struct {
	Name, Section string
	Offset, Size  int
	Kind          C.int // EH_VAR_*
	Signed, Bool  bool
}

// GlobalError is a global that cannot take the value asked for.
type GlobalError struct {
	Name string
	Err  error
}

func (e *GlobalError) Error() string { return fmt.Sprintf("global %s: %v", e.Name, e.Err) }
func (e *GlobalError) Unwrap() error { return e.Err }

// readVariables lists the object's global variables by its BTF.
func readVariables(path string) ([]variable, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	n := C.eh_read_vars(cpath, nil, 0)
	if n < 0 {
		return nil, fmt.Errorf("read the object's BTF (needed to check globals; compile with -g): %w", syscall.Errno(-n))
	}
	raw := make([]C.struct_eh_var, int(n)+1)
	n = C.eh_read_vars(cpath, &raw[0], C.int(len(raw)))
	vars := make([]variable, 0, n)
	for _, v := range raw[:n] {
		vars = append(vars, variable{
			Name: C.GoString(&v.name[0]), Section: C.GoString(&v.section[0]),
			Offset: int(v.offset), Size: int(v.size), Kind: v.kind,
			Signed: v.is_signed != 0, Bool: v.is_bool != 0,
		})
	}
	return vars, nil
}

// setGlobals writes each value into its section's initial image.
func setGlobals(module *bpf.Module, vars []variable, globals map[string]any) error {
	byName := map[string]variable{}
	for _, v := range vars {
		byName[v.Name] = v
	}
	images := map[string][]byte{} // section -> new initial value
	for name, value := range globals {
		v, ok := byName[name]
		if !ok {
			return &GlobalError{Name: name, Err: fmt.Errorf("no such global variable in the object")}
		}
		bytes, err := encodeGlobal(v, value)
		if err != nil {
			return &GlobalError{Name: name, Err: err}
		}
		image, ok := images[v.Section]
		if !ok {
			m, err := module.GetMap(v.Section)
			if err != nil {
				return fmt.Errorf("find the map of section %s: %w", v.Section, err)
			}
			initial, err := m.InitialValue()
			if err != nil {
				return fmt.Errorf("read section %s: %w", v.Section, err)
			}
			image = make([]byte, m.ValueSize())
			copy(image, initial)
		}
		if v.Offset+v.Size > len(image) {
			return &GlobalError{Name: name, Err: fmt.Errorf("outside its section %s", v.Section)}
		}
		copy(image[v.Offset:v.Offset+v.Size], bytes)
		images[v.Section] = image
	}
	for section, image := range images {
		m, _ := module.GetMap(section)
		if err := m.SetInitialValue(unsafe.Pointer(&image[0])); err != nil {
			return fmt.Errorf("set section %s: %w", section, err)
		}
	}
	return nil
}

// encodeGlobal gives value's bytes for v, or says why it does not fit.
func encodeGlobal(v variable, value any) ([]byte, error) {
	rv := reflect.ValueOf(value)
	if !rv.IsValid() {
		return nil, fmt.Errorf("no value")
	}
	if b, ok := byteSlice(rv); ok && len(b) == v.Size {
		return b, nil // already encoded (run's --set, by btfview)
	}
	switch v.Kind {
	case C.EH_VAR_INT:
		return encodeInt(v, rv)
	case C.EH_VAR_CHARS:
		if rv.Kind() == reflect.String {
			if rv.Len() >= v.Size {
				return nil, fmt.Errorf("%q is too long: it holds %d bytes and a NUL", rv.String(), v.Size-1)
			}
			out := make([]byte, v.Size) // NUL-padded
			copy(out, rv.String())
			return out, nil
		}
	}
	b, ok := byteSlice(rv)
	if !ok {
		return nil, fmt.Errorf("a %s value does not fit its %s", rv.Type(), kindName(v))
	}
	if len(b) > v.Size || (v.Kind == C.EH_VAR_OTHER && len(b) != v.Size) {
		return nil, fmt.Errorf("%d bytes given, it has %d", len(b), v.Size)
	}
	out := make([]byte, v.Size)
	copy(out, b)
	return out, nil
}

func encodeInt(v variable, rv reflect.Value) ([]byte, error) {
	bits := v.Size * 8
	if v.Size != 1 && v.Size != 2 && v.Size != 4 && v.Size != 8 {
		return nil, fmt.Errorf("integer of %d bytes not supported", v.Size)
	}
	var u uint64
	switch rv.Kind() {
	case reflect.Bool:
		if rv.Bool() {
			u = 1
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		if err := fitsSigned(v, n); err != nil {
			return nil, err
		}
		u = uint64(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := rv.Uint()
		if (v.Signed && n > uint64(math.MaxInt64>>(64-bits))) || (!v.Signed && bits < 64 && n >= 1<<bits) {
			return nil, fmt.Errorf("%d does not fit its %s", n, kindName(v))
		}
		u = n
	case reflect.String:
		s := rv.String()
		var err error
		switch {
		case v.Bool:
			var b bool
			if b, err = strconv.ParseBool(s); b {
				u = 1
			}
		case v.Signed:
			var n int64
			n, err = strconv.ParseInt(s, 0, bits)
			u = uint64(n)
		default:
			u, err = strconv.ParseUint(s, 0, bits)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid %s", s, kindName(v))
		}
	default:
		return nil, fmt.Errorf("a %s value does not fit its %s", rv.Type(), kindName(v))
	}
	out := make([]byte, 8)
	binary.NativeEndian.PutUint64(out, u)
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 { // big endian: the low bytes are at the end
		return out[8-v.Size:], nil
	}
	return out[:v.Size], nil
}

func fitsSigned(v variable, n int64) error {
	bits := v.Size * 8
	if v.Signed {
		if bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
			return fmt.Errorf("%d does not fit its %s", n, kindName(v))
		}
		return nil
	}
	if n < 0 || (bits < 64 && n >= 1<<bits) {
		return fmt.Errorf("%d does not fit its %s", n, kindName(v))
	}
	return nil
}

// kindName says what a variable is in C words: "unsigned 32-bit integer".
func kindName(v variable) string {
	switch {
	case v.Kind == C.EH_VAR_CHARS:
		return fmt.Sprintf("char[%d]", v.Size)
	case v.Kind != C.EH_VAR_INT:
		return fmt.Sprintf("%d-byte type", v.Size)
	case v.Bool:
		return "bool"
	case v.Signed:
		return fmt.Sprintf("signed %d-bit integer", v.Size*8)
	}
	return fmt.Sprintf("unsigned %d-bit integer", v.Size*8)
}

// byteSlice gives the bytes of a []byte or [N]byte.
func byteSlice(rv reflect.Value) ([]byte, bool) {
	switch {
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return rv.Bytes(), true
	case rv.Kind() == reflect.Array && rv.Type().Elem().Kind() == reflect.Uint8:
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		return b, true
	}
	return nil, false
}
