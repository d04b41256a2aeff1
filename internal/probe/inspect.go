package probe

/*
#include <stdlib.h>
#include "inspect.h"
*/
import "C"

import (
	"fmt"
	"syscall"
	"unsafe"
)

// Program is what Inspect tells about one program of an object.
type Program struct {
	Name    string // its C function
	Section string // its SEC() name
	// CallsPrintk: it calls bpf_trace_printk or bpf_trace_vprintk, whose
	// lines appear in trace_pipe.
	CallsPrintk bool
	// ReadsContext: it may read through its context pointer. One that
	// does not (no registers, no tracepoint fields) runs the same from any
	// hook: a kprobe program can then be loaded as a tracepoint program.
	ReadsContext bool
}

// Inspect lists the programs of the object in spec (Object or Path) without loading it.
func Inspect(spec Spec) ([]Program, error) {
	path, cleanup, err := objectFile(spec)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	installLogger()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	n := C.eh_inspect(cpath, nil, 0)
	if n < 0 {
		return nil, fmt.Errorf("open %s: %w", spec.Name, syscall.Errno(-n))
	}
	raw := make([]C.struct_eh_prog, int(n)+1)
	n = C.eh_inspect(cpath, &raw[0], C.int(len(raw)))
	progs := make([]Program, 0, n)
	for _, p := range raw[:n] {
		progs = append(progs, Program{
			Name: C.GoString(&p.name[0]), Section: C.GoString(&p.section[0]),
			CallsPrintk: p.calls_printk != 0, ReadsContext: p.reads_ctx != 0,
		})
	}
	return progs, nil
}
