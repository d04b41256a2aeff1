package runner

import (
	"encoding/binary"
	"os"
	"slices"
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

// newStacks names stacks for an object: ids when it has exactly one
// stack trace map (with two, which one an id is in is the program's
// secret), buffers of addresses always.
func newStacks(maps []btfview.Map, loaded *probe.Loaded) *stacks {
	st := &stacks{user: symbolize.NewUser()}
	var name string
	for _, m := range maps {
		if m.Type == btfview.MapTypeStackTrace {
			if name != "" {
				return st
			}
			name = m.Name
		}
	}
	if name != "" {
		st.m, _ = loaded.Map(name)
	}
	return st
}

// isStackID: a field holding a stack id (libbpf-tools' kern_stack_id,
// user_stack_id, BCC's stack_id).
func isStackID(name string, v btfview.Value) bool {
	n := leafName(name)
	return (v.Kind == btfview.KindInt || v.Kind == btfview.KindUint) &&
		(strings.HasSuffix(n, "stack_id") || strings.HasSuffix(n, "stackid"))
}

// leafName is a field's own name, lower case, without the struct path
// ("key.user_stack_id" -> "user_stack_id").
func leafName(field string) string {
	return strings.ToLower(field[strings.LastIndexByte(field, '.')+1:])
}

// name shows every stack id field of items' keys and values as its
// stack, outermost frame first, frames joined by ';' (the folded form
// flame graphs read); JSON keeps the id and adds NAME_name. User stacks
// are named in the process of the record's pid field.
func (st *stacks) name(items []btfview.Item) {
	if st.m == nil {
		return
	}
	st.user.ForgetProcesses() // they change between printings
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
	var addrs []uint64
	for off := 0; off+8 <= len(raw); off += 8 {
		addrs = append(addrs, binary.NativeEndian.Uint64(raw[off:]))
	}
	return textsafe.Escape(st.join(addrs, isUserStack(field), pid))
}

// isUserStack: the field's name says user space (user_stack_id, ustack).
func isUserStack(field string) bool {
	n := leafName(field)
	return strings.Contains(n, "user") || strings.HasPrefix(n, "ustack")
}

// join names addrs (innermost first, ended by a 0 or the slice's end)
// and folds them outermost first.
func (st *stacks) join(addrs []uint64, user bool, pid int) string {
	var frames []string
	for _, addr := range addrs {
		if addr == 0 {
			break
		}
		frames = append(frames, st.frame(addr, user, pid))
	}
	for i, j := 0, len(frames)-1; i < j; i, j = i+1, j-1 {
		frames[i], frames[j] = frames[j], frames[i]
	}
	return strings.Join(frames, ";")
}

// stackBuffers are the event fields that hold a stack, as bpf_get_stack
// writes one (libbpf-bootstrap's profile: __u64 kstack[127], with its
// length in bytes in kstack_sz): arrays of 8-byte integers whose names
// say stack. They are shown named, like stack ids.
func stackBuffers(l *btfview.Layout) []string {
	var out []string
	for _, f := range l.Fields {
		n := strings.ToLower(f.Name)
		if f.Kind == btfview.KindList && f.Size == 8 && f.Len > 1 && strings.Contains(n, "stack") {
			out = append(out, f.Name)
		}
	}
	return out
}

// nameBuffers shows each stack buffer of rec as its frames: as many
// addresses as its size field (NAME_sz, _size, _len: bytes, as
// bpf_get_stack returns, or a count) says, else up to the first 0.
func (st *stacks) nameBuffers(rec btfview.Record, fields []string) {
	pid := recordPID(rec)
	for i, f := range rec {
		if !slices.Contains(fields, f.Name) {
			continue
		}
		addrs := make([]uint64, 0, len(f.Value.List))
		for _, v := range f.Value.List {
			addrs = append(addrs, v.Uint)
		}
		text := ""
		if n, ok := bufferLength(rec, f.Name, len(addrs)); !ok {
			text = "[none]" // bpf_get_stack failed: a negative size
		} else {
			text = st.join(addrs[:n], isUserStack(f.Name), pid)
		}
		rec[i].Value = btfview.Value{Kind: btfview.KindText, Text: text} // escaped when printed
	}
}

// bufferLength is how many addresses of a stack buffer are used, by its
// size field: NAME_sz, _size, _bytes count bytes (bpf_get_stack's
// answer), NAME_len, _cnt, _count frames; ok is false when it says
// bpf_get_stack failed (negative). Without one, all (up to a 0).
func bufferLength(rec btfview.Record, name string, max int) (n int, ok bool) {
	for _, f := range rec {
		bytes := false
		switch f.Name {
		case name + "_sz", name + "_size", name + "_bytes":
			bytes = true
		case name + "_len", name + "_cnt", name + "_count":
		default:
			continue
		}
		size := f.Value.Int + int64(f.Value.Uint)
		if size < 0 {
			return 0, false
		}
		if bytes || (size > int64(max) && size%8 == 0) { // a count too large is bytes
			size /= 8
		}
		return int(min(size, int64(max))), true
	}
	return max, true
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
