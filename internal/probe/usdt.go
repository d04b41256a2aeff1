package probe

/*
#include <stdlib.h>
#include <errno.h>
#include <bpf/libbpf.h>

// eh_attach_usdt attaches prog to a USDT probe in process pid, or in every
// process running binary when pid is -1 (libbpf finds a library by name, reads the probe's note and
// fills the argument specs that bpf_usdt_arg() reads); NULL and errno on
// failure.
static struct bpf_link *eh_attach_usdt(struct bpf_program *prog, int pid, const char *binary,
				       const char *provider, const char *name)
{
	struct bpf_link *link = bpf_program__attach_usdt(prog, pid, binary, provider, name, NULL);
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

	"github.com/ebpf-hello/ebpf-hello/internal/usdtnote"

	bpf "github.com/aquasecurity/libbpfgo"
)

// usdtLink is a USDT attachment: libbpfgo has no USDT call, so libbpf's
// own link, destroyed by Close.
type usdtLink struct{ link *C.struct_bpf_link }

// splitUSDT reads a USDT target "BINARY:PROVIDER:NAME" (a path or a
// library name such as "libc.so.6"). BINARY and PROVIDER may be empty in a
// hook limited to a process (BCC's USDT(pid=N) names the probe alone): they
// are looked up in its files.
func splitUSDT(target string) (binary, provider, name string, ok bool) {
	i := strings.LastIndexByte(target, ':')
	if i < 0 {
		return "", "", "", false
	}
	j := strings.LastIndexByte(target[:i], ':')
	if j < 0 || i+1 == len(target) {
		return "", "", "", false
	}
	return target[:j], target[j+1 : i], target[i+1:], true
}

// findUSDT finds the binary and provider of probe name for a hook that
// leaves them to be looked up: in binary, else in process pid's executable
// and libraries, as BCC's USDT(pid=N).enable_probe(probe=NAME) does.
func findUSDT(pid int, binary, provider, name string) (target, note string, err error) {
	matches, err := usdtnote.Find(pid, binary, provider, name)
	if err != nil {
		return "", "", fmt.Errorf("USDT probe %s: %w", name, err)
	}
	where := binary
	if where == "" {
		where = fmt.Sprintf("process %d (its executable and libraries)", pid)
	}
	if len(matches) == 0 {
		return "", "", fmt.Errorf("%s has no USDT probe %s (readelf -n lists the stapsdt notes)", where, strings.TrimPrefix(provider+":"+name, ":"))
	}
	m := matches[0]
	if len(matches) > 1 {
		note = fmt.Sprintf("USDT probe %s is in %d places; attached to the first, %s:%s", name, len(matches), m.Binary, m.Provider)
	}
	return m.Binary + ":" + m.Provider + ":" + name, note, nil
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
func (l *Loaded) attachUSDT(p *bpf.BPFProg, target string, pid int) error {
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
	if pid <= 0 {
		pid = -1 // every process
	}
	link, errno := C.eh_attach_usdt(prog, C.int(pid), cb, cp, cn)
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
