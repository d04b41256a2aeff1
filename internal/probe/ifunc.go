package probe

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// An IFUNC's resolver runs once, when the dynamic linker relocates the
// library, and its choice (say __strlen_avx2 for strlen) is written into
// the library's own GOT slot of an IRELATIVE relocation whose addend is
// the resolver. Any process that has the library loaded holds the answer:
// ifuncFromProcess reads that slot there, through /proc/PID/mem. Nothing
// of the library runs in ebpf-hello, and a static binary (no dlopen) works.

// irelative is the IRELATIVE relocation type of the library's machine.
func irelative(m elf.Machine) (uint32, bool) {
	switch m {
	case elf.EM_X86_64:
		return uint32(elf.R_X86_64_IRELATIVE), true
	case elf.EM_AARCH64:
		return uint32(elf.R_AARCH64_IRELATIVE), true
	}
	return 0, false
}

// irelativeSlots lists the addresses (relative to the library's base) of
// the GOT slots the dynamic linker fills with resolver's choice.
func irelativeSlots(f *elf.File, resolver uint64) ([]uint64, error) {
	typ, ok := irelative(f.Machine)
	if !ok || f.Class != elf.ELFCLASS64 {
		return nil, fmt.Errorf("IRELATIVE relocations of %v are not read", f.Machine)
	}
	var slots []uint64
	for _, s := range f.Sections {
		if s.Type != elf.SHT_RELA {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return nil, err
		}
		for i := 0; i+24 <= len(data); i += 24 { // Elf64_Rela: offset, info, addend
			off := f.ByteOrder.Uint64(data[i:])
			info := f.ByteOrder.Uint64(data[i+8:])
			addend := f.ByteOrder.Uint64(data[i+16:])
			if uint32(info) == typ && addend == resolver {
				slots = append(slots, off)
			}
		}
	}
	if len(slots) == 0 {
		return nil, errors.New("the library has no IRELATIVE relocation for it")
	}
	return slots, nil
}

// firstLoadVaddr is the library's first loadable segment's address, which the
// mapping of file offset 0 starts at (minus the bias).
func firstLoadVaddr(f *elf.File) uint64 {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			return p.Vaddr &^ (p.Align - 1)
		}
	}
	return 0
}

// ifuncFromProcess finds processes of root's that have the library (the
// file info describes, as opened) mapped and reads the IFUNC's
// implementation address (relative to the library's base) from their GOT.
// Only root's: another user's process could hold any value there, and the
// uprobe goes where it says. Up to trustedReads of them must agree, and
// the address must lie in an executable segment. pid says where it was
// read.
func ifuncFromProcess(f *elf.File, info os.FileInfo, resolver uint64) (impl uint64, pid int, err error) {
	const trustedReads = 3
	slots, err := irelativeSlots(f, resolver)
	if err != nil {
		return 0, 0, err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, errors.New("the library's device and inode are unknown")
	}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	self, reads := os.Getpid(), 0
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil || p == self || !ownedByRoot(p) {
			continue
		}
		start, ok := mappingStart(p, uint64(st.Dev), st.Ino)
		if !ok {
			continue
		}
		base := start - firstLoadVaddr(f)
		value, ok := readSlot(p, base+slots[0], f.ByteOrder)
		if !ok || value <= base || !executable(f, value-base) {
			continue
		}
		if reads > 0 && value-base != impl {
			return 0, 0, fmt.Errorf("processes %d and %d disagree on the implementation", pid, p)
		}
		impl, pid = value-base, p
		if reads++; reads == trustedReads {
			break
		}
	}
	if reads == 0 {
		return 0, 0, errors.New("no process of root's has the library loaded")
	}
	return impl, pid, nil
}

// ownedByRoot: every uid of process pid is root's (/proc/PID/status).
func ownedByRoot(pid int) bool {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			for _, id := range strings.Fields(rest) {
				if id != "0" {
					return false
				}
			}
			return true
		}
	}
	return false
}

// executable: addr (relative to the base) lies in an executable segment.
func executable(f *elf.File, addr uint64) bool {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return true
		}
	}
	return false
}

// mappingStart is where process pid maps offset 0 of the file (dev, ino).
func mappingStart(pid int, dev, ino uint64) (uint64, bool) {
	maps, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "maps"))
	if err != nil {
		return 0, false
	}
	defer maps.Close()
	want := fmt.Sprintf("%02x:%02x", unix.Major(dev), unix.Minor(dev))
	sc := bufio.NewScanner(io.LimitReader(maps, 16<<20))
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		// "7f3c2a000000-7f3c2a028000 r--p 00000000 fd:01 1835 /usr/lib/.../libc.so.6"
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[2] != "00000000" || f[3] != want || f[4] != strconv.FormatUint(ino, 10) {
			continue
		}
		lo, _, _ := strings.Cut(f[0], "-")
		start, err := strconv.ParseUint(lo, 16, 64)
		return start, err == nil
	}
	return 0, false
}

// readSlot reads one pointer of process pid's memory.
func readSlot(pid int, addr uint64, order binary.ByteOrder) (uint64, bool) {
	mem, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "mem"))
	if err != nil {
		return 0, false
	}
	defer mem.Close()
	var b [8]byte
	if n, err := mem.ReadAt(b[:], int64(addr)); n != 8 || err != nil {
		return 0, false
	}
	return order.Uint64(b[:]), true
}

// symbolAt names the function at addr from the library's symbol table
// (stripped libraries have none for the implementations).
func symbolAt(f *elf.File, addr uint64) string {
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Value == addr && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			return s.Name
		}
	}
	return fmt.Sprintf("at %#x", addr)
}
