package compile

/*
// libbpf is linked statically, as in internal/probe.
#cgo LDFLAGS: -l:libbpf.a -lelf -lz -lzstd
#include <stdlib.h>
#include "btfdump.h"
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// KernelBTF is where the running kernel publishes its BTF.
const KernelBTF = "/sys/kernel/btf/vmlinux"

// WriteVmlinuxH writes to the file out the C declarations of every type in the BTF
// at btfPath (the running kernel's when btfPath is ""), laid out as
// bpftool's vmlinux.h: include guard, CO-RE access index on every record,
// kfunc prototypes.
func WriteVmlinuxH(btfPath string, out *os.File) error {
	cBTF := C.CString(btfPath)
	defer C.free(unsafe.Pointer(cBTF))
	if rc := C.ebpfhello_dump_vmlinux_h(cBTF, C.int(out.Fd())); rc != 0 {
		where := btfPath
		if where == "" {
			where = KernelBTF
		}
		return fmt.Errorf("generate vmlinux.h from %s: %w", where, syscall.Errno(-rc))
	}
	return nil
}

// WriteMiniVmlinuxH writes to out a vmlinux.h with only the types a
// program names: records (struct and union names, dumped whole), names
// (typedefs, enums, enum constants: their type dumped) and forward
// (structs declared only), from the BTF at btfPath ("" the running
// kernel's).
func WriteMiniVmlinuxH(btfPath string, out *os.File, records, names, forward []string) error {
	cBTF := C.CString(btfPath)
	defer C.free(unsafe.Pointer(cBTF))
	cRecords := C.CString(strings.Join(records, "\n"))
	defer C.free(unsafe.Pointer(cRecords))
	cNames := C.CString(strings.Join(names, "\n"))
	defer C.free(unsafe.Pointer(cNames))
	cForward := C.CString(strings.Join(forward, "\n"))
	defer C.free(unsafe.Pointer(cForward))
	if rc := C.ebpfhello_dump_types(cBTF, C.int(out.Fd()), cRecords, cNames, cForward); rc != 0 {
		return fmt.Errorf("generate a vmlinux.h of the program's types: %w", syscall.Errno(-rc))
	}
	return nil
}
