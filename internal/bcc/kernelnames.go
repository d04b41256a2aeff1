package bcc

import (
	"encoding/binary"
	"errors"
	"os"
)

// KernelNames are the names vmlinux.h declares, read from the kernel's BTF:
// a map or a struct of the learner's program named like one of them would
// not compile next to vmlinux.h, so it is renamed.
type KernelNames struct {
	Ordinary map[string]bool // typedef names and enum constants (C's ordinary identifiers)
	Tags     map[string]bool // struct, union and enum tags
}

// ReadKernelNames reads the names from a BTF file such as /sys/kernel/btf/vmlinux.
func ReadKernelNames(path string) (*KernelNames, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseBTFNames(data)
}

var errBTF = errors.New("not a BTF file")

// parseBTFNames walks BTF's type section (kinds and their trailing records,
// see the kernel's Documentation/bpf/btf.rst) and keeps the names that
// become C identifiers in vmlinux.h.
func parseBTFNames(data []byte) (*KernelNames, error) {
	if len(data) < 24 {
		return nil, errBTF
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 0xeb && data[1] == 0x9f {
		bo = binary.BigEndian
	} else if !(data[0] == 0x9f && data[1] == 0xeb) {
		return nil, errBTF
	}
	hdrLen := bo.Uint32(data[4:])
	typeOff, typeLen := bo.Uint32(data[8:]), bo.Uint32(data[12:])
	strOff, strLen := bo.Uint32(data[16:]), bo.Uint32(data[20:])
	if uint64(hdrLen)+uint64(typeOff)+uint64(typeLen) > uint64(len(data)) ||
		uint64(hdrLen)+uint64(strOff)+uint64(strLen) > uint64(len(data)) {
		return nil, errBTF
	}
	types := data[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := data[hdrLen+strOff : hdrLen+strOff+strLen]
	name := func(off uint32) string {
		if int(off) >= len(strs) {
			return ""
		}
		s := strs[off:]
		for i, c := range s {
			if c == 0 {
				return string(s[:i])
			}
		}
		return ""
	}
	kn := &KernelNames{Ordinary: map[string]bool{}, Tags: map[string]bool{}}
	for p := 0; p+12 <= len(types); {
		nameOff, info := bo.Uint32(types[p:]), bo.Uint32(types[p+4:])
		vlen := int(info & 0xffff)
		kind := (info >> 24) & 0x1f
		p += 12
		var rec int
		switch kind {
		case 1, 14, 17: // INT, VAR, DECL_TAG
			rec = 4
		case 3: // ARRAY
			rec = 12
		case 4, 5: // STRUCT, UNION
			rec = 12 * vlen
			if n := name(nameOff); n != "" {
				kn.Tags[n] = true
			}
		case 6, 19: // ENUM, ENUM64
			size := 8
			if kind == 19 {
				size = 12
			}
			rec = size * vlen
			if n := name(nameOff); n != "" {
				kn.Tags[n] = true
			}
			for k := 0; k < vlen && p+k*size+4 <= len(types); k++ {
				if n := name(bo.Uint32(types[p+k*size:])); n != "" {
					kn.Ordinary[n] = true
				}
			}
		case 8: // TYPEDEF
			if n := name(nameOff); n != "" {
				kn.Ordinary[n] = true
			}
		case 13: // FUNC_PROTO
			rec = 8 * vlen
		case 15: // DATASEC
			rec = 12 * vlen
		case 2, 7, 9, 10, 11, 12, 16, 18: // PTR, FWD, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
		default:
			return nil, errBTF
		}
		p += rec
	}
	return kn, nil
}
