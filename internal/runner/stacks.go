package runner

import (
	"encoding/binary"
	"os"
	"strings"
	"syscall"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/symbolize"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// stacks names the stacks a program recorded with bpf_get_stackid: the
// stack trace map they are in, and the symbols of the kernel and of the
// processes (read when first needed, for one printing of the maps).
type stacks struct {
	m      *probe.Map
	kernel *symbolize.Kernel
	user   *symbolize.User
}

// newStacks is nil unless the object has exactly one stack trace map
// (with two, which one an id is in is the program's secret).
func newStacks(maps []btfview.Map, loaded *probe.Loaded) *stacks {
	var name string
	for _, m := range maps {
		if m.Type == btfview.MapTypeStackTrace {
			if name != "" {
				return nil
			}
			name = m.Name
		}
	}
	if name == "" {
		return nil
	}
	km, err := loaded.Map(name)
	if err != nil {
		return nil
	}
	return &stacks{m: km}
}

// isStackID: a field holding a stack id (libbpf-tools' kern_stack_id,
// user_stack_id, BCC's stack_id).
func isStackID(name string, v btfview.Value) bool {
	n := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
	return (v.Kind == btfview.KindInt || v.Kind == btfview.KindUint) &&
		(strings.HasSuffix(n, "stack_id") || strings.HasSuffix(n, "stackid"))
}

// name shows every stack id field of items' keys and values as its
// stack, outermost frame first, frames joined by ';' (the folded form
// flame graphs read); JSON keeps the id and adds NAME_name. User stacks
// are named in the process of the record's pid field.
func (st *stacks) name(items []btfview.Item) {
	st.user = symbolize.NewUser() // processes change between printings
	for _, it := range items {
		pid := recordPID(it.Key)
		for _, r := range []btfview.Record{it.Key, it.Value} {
			for i, f := range r {
				if isStackID(f.Name, f.Value) {
					id := f.Value.Int
					if f.Value.Kind == btfview.KindUint { // an unsigned id field still holds -errno
						id = int64(int32(uint32(f.Value.Uint)))
					}
					r[i].Value.Name, r[i].Value.NameOnly = st.folded(f.Name, id, pid), true
				}
			}
		}
	}
}

// recordPID is the record's pid (or tgid) field, or 0.
func recordPID(r btfview.Record) int {
	for _, f := range r {
		if f.Name == "pid" || f.Name == "tgid" {
			return int(f.Value.Int) + int(f.Value.Uint)
		}
	}
	return 0
}

// folded is the stack of id, escaped (user programs name their own
// functions), or why there is none.
func (st *stacks) folded(field string, id int64, pid int) string {
	switch {
	case id == -int64(syscall.EFAULT):
		return "[none]" // e.g. no kernel stack: the sample was in user space
	case id == -int64(syscall.EEXIST):
		return "[missed: another stack had its slot]"
	case id == -int64(syscall.ENOMEM):
		return "[missed: the stack map was full]"
	case id < 0:
		return "[missed]"
	}
	key := make([]byte, 4)
	binary.NativeEndian.PutUint32(key, uint32(id))
	raw, err := st.m.Lookup(key)
	if err != nil {
		return "[missed: not in the stack map]"
	}
	user := strings.Contains(strings.ToLower(field), "user") || strings.Contains(strings.ToLower(field), "ustack")
	var frames []string
	for off := 0; off+8 <= len(raw); off += 8 {
		addr := binary.NativeEndian.Uint64(raw[off:])
		if addr == 0 {
			break
		}
		frames = append(frames, st.frame(addr, user, pid))
	}
	for i, j := 0, len(frames)-1; i < j; i, j = i+1, j-1 {
		frames[i], frames[j] = frames[j], frames[i]
	}
	return textsafe.Escape(strings.Join(frames, ";"))
}

// frame names one address: the kernel's when it is in the kernel's half
// of the address space (or the field says kernel), else the process's.
func (st *stacks) frame(addr uint64, user bool, pid int) string {
	if !user && addr >= 1<<63 {
		if st.kernel == nil {
			st.kernel = loadKernelSymbols()
		}
		return st.kernel.Name(addr)
	}
	if pid <= 0 {
		return symbolize.Unknown
	}
	return st.user.Name(pid, addr)
}

// loadKernelSymbols reads /proc/kallsyms once; with none, every kernel
// address is unknown.
func loadKernelSymbols() *symbolize.Kernel {
	f, err := os.Open("/proc/kallsyms")
	if err == nil {
		defer f.Close()
		if k, err := symbolize.LoadKernel(f); err == nil {
			return k
		}
	}
	k, _ := symbolize.LoadKernel(strings.NewReader(""))
	return k
}
