package runplan

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestMapWriteBytes(t *testing.T) {
	le := func(n uint64, size int) []byte {
		b := binary.NativeEndian.AppendUint64(nil, n)
		if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
			return b[8-size:]
		}
		return b[:size]
	}
	for _, tt := range []struct {
		w            MapWrite
		kSize, vSize int
		key, value   []byte
		err          string
	}{
		{MapWrite{Map: "config", Key: "0", Value: "1"}, 4, 4, le(0, 4), le(1, 4), ""},
		{MapWrite{Map: "config", Key: "3", Value: "-1"}, 4, 8, le(3, 4), le(^uint64(0), 8), ""},
		{MapWrite{Map: "config", Key: "0", Value: "0xffffffff"}, 4, 4, le(0, 4), le(0xffffffff, 4), ""},
		{MapWrite{Map: "jump", Key: "2", Program: "f"}, 4, 4, le(2, 4), le(7, 4), ""},
		{MapWrite{Map: "config", Key: "0", Value: "256"}, 4, 1, nil, nil, "value of 1 bytes cannot hold 256"},
		{MapWrite{Map: "config", Key: "-129", Value: "1"}, 1, 4, nil, nil, "key of 1 bytes cannot hold -129"},
		{MapWrite{Map: "config", Key: "0", Value: "1"}, 16, 4, nil, nil, "is 16 bytes"},
		{MapWrite{Map: "config", Key: "x", Value: "1"}, 4, 4, nil, nil, `"x" is not`},
		{MapWrite{Map: "config", Key: "0"}, 4, 4, nil, nil, "one of them"},
	} {
		key, value, err := tt.w.Bytes(tt.kSize, tt.vSize, 7)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%+v: error %v, want %q", tt.w, err, tt.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(key, tt.key) || !bytes.Equal(value, tt.value) {
			t.Errorf("%+v: %x %x %v, want %x %x", tt.w, key, value, err, tt.key, tt.value)
		}
	}
	// a plan with a write run cannot apply is not a plan
	p := Plan{MapWrites: []MapWrite{{Map: "config", Key: "zero", Value: "1"}}}
	if _, err := FromSource([]byte(p.SourceLine())); err == nil {
		t.Errorf("a plan with key %q was read", "zero")
	}
}
