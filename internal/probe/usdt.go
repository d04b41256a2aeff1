package probe

/*
#include <stdlib.h>
#include <errno.h>
#include <bpf/libbpf.h>

// eh_attach_usdt attaches prog to a USDT probe in every process running
// binary (libbpf finds a library by name, reads the probe's note and
// fills the argument specs that bpf_usdt_arg() reads); NULL and errno on
// failure.
static struct bpf_link *eh_attach_usdt(struct bpf_program *prog, const char *binary,
				       const char *provider, const char *name)
{
	struct bpf_link *link = bpf_program__attach_usdt(prog, -1, binary, provider, name, NULL);
	long err = libbpf_get_error(link);

	if (err) {
		errno = -err;
		return NULL;
	}
	return link;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	bpf "github.com/aquasecurity/libbpfgo"
)

// usdtLink is a USDT attachment: libbpfgo has no USDT call, so libbpf's
// own link, destroyed by Close.
type usdtLink struct{ link *C.struct_bpf_link }

// splitUSDT reads a USDT target "BINARY:PROVIDER:NAME" (a path or a
// library name such as "libc.so.6").
func splitUSDT(target string) (binary, provider, name string, ok bool) {
	i := strings.LastIndexByte(target, ':')
	if i <= 0 {
		return "", "", "", false
	}
	j := strings.LastIndexByte(target[:i], ':')
	if j <= 0 || j+1 == i || i+1 == len(target) {
		return "", "", "", false
	}
	return target[:j], target[j+1 : i], target[i+1:], true
}

// cProgram is libbpf's struct bpf_program behind a libbpfgo BPFProg,
// whose first field it is (libbpfgo v0.8 does not export it). The pointer
// is used only if libbpf agrees it is that program: same name, same fd.
func cProgram(p *bpf.BPFProg) (*C.struct_bpf_program, error) {
	ptr := *(**C.struct_bpf_program)(unsafe.Pointer(p))
	if ptr == nil || C.GoString(C.bpf_program__name(ptr)) != p.Name() || int(C.bpf_program__fd(ptr)) != p.FileDescriptor() {
		return nil, errors.New("this build's libbpfgo does not let ebpf-hello attach USDT probes")
	}
	return ptr, nil
}

// attachUSDT attaches p to the USDT probe target names.
func (l *Loaded) attachUSDT(p *bpf.BPFProg, target string) error {
	binary, provider, name, ok := splitUSDT(target)
	if !ok {
		return fmt.Errorf("USDT target %q: want BINARY:PROVIDER:NAME", target)
	}
	prog, err := cProgram(p)
	if err != nil {
		return err
	}
	cb, cp, cn := C.CString(binary), C.CString(provider), C.CString(name)
	defer C.free(unsafe.Pointer(cb))
	defer C.free(unsafe.Pointer(cp))
	defer C.free(unsafe.Pointer(cn))
	link, errno := C.eh_attach_usdt(prog, cb, cp, cn)
	if link == nil {
		return errno
	}
	l.usdt = append(l.usdt, usdtLink{link})
	return nil
}

// closeUSDT destroys the USDT links.
func (l *Loaded) closeUSDT() {
	for _, u := range l.usdt {
		C.bpf_link__destroy(u.link)
	}
	l.usdt = nil
}
