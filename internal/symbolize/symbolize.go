// Package symbolize names the addresses of a stack: kernel ones through
// /proc/kallsyms, user ones through the process's mappings
// (/proc/PID/maps) and the ELF symbols of the file mapped there. An
// address it cannot name is "[unknown]", as BCC and perf show it.
//
// The files read may be anyone's (a user's program, a library they
// built): they are read, never run; sizes are bounded, and names come
// back as they are, for the caller to escape.
package symbolize

import (
	"bufio"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Unknown is the name of an address nothing names.
const Unknown = "[unknown]"

// table is sorted start addresses and the symbol starting at each.
type table struct {
	addrs []uint64
	names []string
	ends  []uint64 // 0: runs to the next symbol
}

func (t *table) sort() {
	idx := make([]int, len(t.addrs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return t.addrs[idx[a]] < t.addrs[idx[b]] })
	addrs, names, ends := make([]uint64, len(idx)), make([]string, len(idx)), make([]uint64, len(idx))
	for i, j := range idx {
		addrs[i], names[i], ends[i] = t.addrs[j], t.names[j], t.ends[j]
	}
	t.addrs, t.names, t.ends = addrs, names, ends
}

// lookup is the symbol containing addr, or "".
func (t *table) lookup(addr uint64) string {
	i := sort.Search(len(t.addrs), func(i int) bool { return t.addrs[i] > addr }) - 1
	if i < 0 || (t.ends[i] != 0 && addr >= t.ends[i]) {
		return ""
	}
	return t.names[i]
}

// maxKallsyms bounds what is read of /proc/kallsyms (a few MB on a
// distribution kernel with every module).
const maxKallsyms = 64 << 20

// Kernel names kernel addresses.
type Kernel struct{ t table }

// LoadKernel reads kallsyms ("ADDRESS TYPE NAME [MODULE]" lines). With
// addresses hidden (kptr_restrict, not root) every line says 0: then
// every address is Unknown.
func LoadKernel(r io.Reader) (*Kernel, error) {
	k := &Kernel{}
	sc := bufio.NewScanner(io.LimitReader(r, maxKallsyms))
	sc.Buffer(make([]byte, 4096), 4096)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		switch f[1] {
		case "t", "T", "w", "W": // text: where code runs
		default:
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		k.t.addrs = append(k.t.addrs, addr)
		k.t.names = append(k.t.names, f[2])
		k.t.ends = append(k.t.ends, 0)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kallsyms: %w", err)
	}
	k.t.sort()
	return k, nil
}

// Name is the kernel function at addr, or Unknown.
func (k *Kernel) Name(addr uint64) string {
	if n := k.t.lookup(addr); n != "" {
		return n
	}
	return Unknown
}

// mapping is one executable mapping of a process.
type mapping struct {
	start, end, offset uint64
	path               string
}

// User names user addresses, process by process; files' symbols are
// read once.
type User struct {
	procs map[int][]mapping
	files map[string]*elfSymbols
}

// NewUser returns an empty User.
func NewUser() *User { return &User{procs: map[int][]mapping{}, files: map[string]*elfSymbols{}} }

// ForgetProcesses makes the next names read processes' mappings afresh
// (they change, and pids are reused); files' symbols are kept.
func (u *User) ForgetProcesses() { clear(u.procs) }

// Name is the function at addr in process pid, or Unknown (the process
// is gone, the address is in no file, or the file has no symbol there).
func (u *User) Name(pid int, addr uint64) string {
	maps, ok := u.procs[pid]
	if !ok {
		maps = readMaps(pid)
		u.procs[pid] = maps
	}
	for _, m := range maps {
		if addr < m.start || addr >= m.end {
			continue
		}
		syms, ok := u.files[m.path]
		if !ok {
			syms = readSymbols(m.path)
			u.files[m.path] = syms
		}
		if n := syms.name(addr - m.start + m.offset); n != "" {
			return n
		}
		return Unknown
	}
	return Unknown
}

// readMaps reads the executable file mappings of pid (none if it is gone).
func readMaps(pid int) []mapping {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseMaps(io.LimitReader(f, 16<<20))
}

// parseMaps reads /proc/PID/maps lines: "START-END PERMS OFFSET DEV INODE PATH".
func parseMaps(r io.Reader) []mapping {
	var out []mapping
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 8192), 8192)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.Contains(f[1], "x") || !strings.HasPrefix(f[5], "/") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(f[2], 16, 64)
		if !ok || err1 != nil || err2 != nil || err3 != nil || end <= start {
			continue
		}
		out = append(out, mapping{start: start, end: end, offset: off, path: strings.Join(f[5:], " ")})
	}
	return out
}

// elfSymbols are a file's function symbols, by virtual address, and its
// loadable segments, to turn a file offset into one.
type elfSymbols struct {
	t    table
	segs []elf.ProgHeader
}

// maxELF bounds the files read for symbols.
const maxELF = 1 << 30

// readSymbols reads path's function symbols (.symtab, else .dynsym); nil
// when it is not a regular ELF file within maxELF.
func readSymbols(path string) *elfSymbols {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxELF {
		return nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	s := &elfSymbols{}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			s.segs = append(s.segs, p.ProgHeader)
		}
	}
	syms, err := f.Symbols()
	if err != nil || len(syms) == 0 {
		syms, _ = f.DynamicSymbols()
	}
	for _, sym := range syms {
		if elf.ST_TYPE(sym.Info) != elf.STT_FUNC || sym.Value == 0 {
			continue
		}
		end := uint64(0)
		if sym.Size > 0 {
			end = sym.Value + sym.Size
		}
		s.t.addrs = append(s.t.addrs, sym.Value)
		s.t.names = append(s.t.names, sym.Name)
		s.t.ends = append(s.t.ends, end)
	}
	s.t.sort()
	return s
}

// name is the function at a file offset, or "".
func (s *elfSymbols) name(off uint64) string {
	if s == nil {
		return ""
	}
	for _, p := range s.segs {
		if off >= p.Off && off < p.Off+p.Filesz {
			return s.t.lookup(off - p.Off + p.Vaddr)
		}
	}
	return ""
}
