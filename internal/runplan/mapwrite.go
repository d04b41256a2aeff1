package runplan

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// check says what makes a map write one run cannot apply.
func (w MapWrite) check() error {
	if w.Map == "" {
		return fmt.Errorf("a map write names no map")
	}
	if _, err := parseInt(w.Key); err != nil {
		return fmt.Errorf("map %q: key %s", w.Map, err)
	}
	switch {
	case (w.Value == "") == (w.Program == ""):
		return fmt.Errorf("map %q: a write is of a value or of a program, one of them", w.Map)
	case w.Value != "":
		if _, err := parseInt(w.Value); err != nil {
			return fmt.Errorf("map %q: value %s", w.Map, err)
		}
	}
	return nil
}

// integer is a key or value as written: its bits and whether it was
// negative (then it must fit the size as a signed integer).
type integer struct {
	bits     uint64
	negative bool
}

func parseInt(s string) (integer, error) {
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return integer{bits: u}, nil
	}
	i, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return integer{}, fmt.Errorf("%q is not a 64-bit integer", s)
	}
	return integer{bits: uint64(i), negative: i < 0}, nil
}

// encode writes n in size bytes, in this machine's byte order, as C would
// store it in an integer of that size.
func (n integer) encode(size int) ([]byte, error) {
	switch size {
	case 1, 2, 4, 8:
	default:
		return nil, fmt.Errorf("is %d bytes: only integers of 1, 2, 4 or 8 bytes are written", size)
	}
	if size < 8 {
		bits := uint(size * 8)
		if n.negative && int64(n.bits) < -(1<<(bits-1)) || !n.negative && n.bits >= 1<<bits {
			if n.negative {
				return nil, fmt.Errorf("of %d bytes cannot hold %d", size, int64(n.bits))
			}
			return nil, fmt.Errorf("of %d bytes cannot hold %d", size, n.bits)
		}
	}
	b := binary.NativeEndian.AppendUint64(nil, n.bits)
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 { // big-endian: the low bytes are last
		return b[8-size:], nil
	}
	return b[:size], nil
}

// Bytes are the key and value the write stores in a map whose keys and
// values have these sizes; for a Program write, programFD is the value
// (a program array's value is the program's descriptor, 4 bytes).
func (w MapWrite) Bytes(keySize, valueSize int, programFD int) (key, value []byte, err error) {
	if err := w.check(); err != nil {
		return nil, nil, err
	}
	k, _ := parseInt(w.Key)
	if key, err = k.encode(keySize); err != nil {
		return nil, nil, fmt.Errorf("map %s: its key %s", w.Map, err)
	}
	v := integer{bits: uint64(programFD)}
	if w.Program == "" {
		v, _ = parseInt(w.Value)
	}
	if value, err = v.encode(valueSize); err != nil {
		return nil, nil, fmt.Errorf("map %s: its value %s", w.Map, err)
	}
	return key, value, nil
}
