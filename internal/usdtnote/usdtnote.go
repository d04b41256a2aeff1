// Package usdtnote reads the USDT probes a binary carries: sys/sdt.h's
// DTRACE_PROBE leaves one ELF note per probe in section .note.stapsdt,
// naming its provider and probe (readelf -n shows them). BCC's
// USDT(pid=N).enable_probe(probe="NAME") names a probe without its
// provider or binary; this package finds both, as BCC does, in the process's
// executable and libraries.
package usdtnote

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
)

// Probe is one USDT probe site in a binary.
type Probe struct {
	Provider string
	Name     string
	Args     string // the argument specs, e.g. "-4@%esi 8@%rdx"
}

// ntStapsdt is the note type of a USDT probe (owner "stapsdt").
const ntStapsdt = 3

// maxNotes bounds the section read: real binaries carry kilobytes.
const maxNotes = 16 << 20

// Parse reads the probes in the contents of a .note.stapsdt section.
// Malformed notes end the walk; what came before them is kept.
func Parse(data []byte, order binary.ByteOrder, class elf.Class) []Probe {
	addr := 8
	if class == elf.ELFCLASS32 {
		addr = 4
	}
	var probes []Probe
	for len(data) >= 12 {
		namesz, descsz, typ := order.Uint32(data), order.Uint32(data[4:]), order.Uint32(data[8:])
		data = data[12:]
		nameLen, descLen := align4(uint64(namesz)), align4(uint64(descsz))
		if nameLen+uint64(descsz) > uint64(len(data)) {
			break
		}
		owner := data[:namesz]
		desc := data[nameLen : nameLen+uint64(descsz)]
		data = data[min(nameLen+descLen, uint64(len(data))):]
		if typ != ntStapsdt || string(bytes.TrimRight(owner, "\x00")) != "stapsdt" || len(desc) < 3*addr {
			continue
		}
		// pc, base and semaphore addresses, then three C strings
		parts := bytes.SplitN(desc[3*addr:], []byte{0}, 4)
		if len(parts) < 3 || len(parts[0]) == 0 || len(parts[1]) == 0 {
			continue
		}
		probes = append(probes, Probe{Provider: string(parts[0]), Name: string(parts[1]), Args: string(parts[2])})
	}
	return probes
}

func align4(n uint64) uint64 { return (n + 3) &^ 3 }

// Read returns the USDT probes of the ELF file at path (none for a file
// without them). Only a regular file is opened, and only the note section
// is read.
func Read(path string) ([]Probe, error) {
	f, _, err := safefile.Open(path, "binary")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	e, err := elf.NewFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not an ELF file: %w", path, err)
	}
	s := e.Section(".note.stapsdt")
	if s == nil || s.Type != elf.SHT_NOTE {
		return nil, nil
	}
	if s.Size > maxNotes {
		return nil, fmt.Errorf("%s: a %d-byte .note.stapsdt section is too large", path, s.Size)
	}
	data, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: read .note.stapsdt: %w", path, err)
	}
	return Parse(data, e.ByteOrder, e.Class), nil
}

// Match is a binary holding a probe and the probe's provider there.
type Match struct {
	Binary   string
	Provider string
}

// Find looks for probe name (of provider, or of any provider when provider
// is "") in binary, or, when binary is "", in process pid's executable and
// the libraries it has mapped, executable first. Each binary and provider
// is listed once.
func Find(pid int, binary, provider, name string) ([]Match, error) {
	files := []string{binary}
	if binary == "" {
		var err error
		if files, err = Mapped(pid); err != nil {
			return nil, err
		}
	}
	var out []Match
	seen := map[Match]bool{}
	var firstErr error
	for _, file := range files {
		probes, err := Read(file)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, p := range probes {
			m := Match{Binary: file, Provider: p.Provider}
			if p.Name == name && (provider == "" || p.Provider == provider) && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 && binary != "" && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// Mapped lists the files process pid runs: its executable, then every
// file it has mapped executable, as paths seen from this process (through
// /proc/PID/root when the process sees another file system).
func Mapped(pid int) ([]string, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("no process %d", pid)
	}
	proc := "/proc/" + strconv.Itoa(pid)
	exe, err := os.Readlink(proc + "/exe")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no process %d", pid)
		}
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	f, err := os.Open(proc + "/maps")
	if err != nil {
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	defer f.Close()
	files := []string{strings.TrimSuffix(exe, " (deleted)")}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// "7f..-7f.. r-xp 00000000 08:01 1234   /usr/lib/libc.so.6"
		fields := strings.SplitN(sc.Text(), " ", 6)
		if len(fields) < 6 || !strings.Contains(fields[1], "x") {
			continue
		}
		path := strings.TrimSpace(fields[5])
		if strings.HasPrefix(path, "/") && !slices.Contains(files, path) {
			files = append(files, path)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("process %d: read maps: %w", pid, err)
	}
	for i, path := range files {
		files[i] = seenFromHere(proc, path)
	}
	return files, nil
}

// seenFromHere is path as this process can open it: itself when it is the
// same file the process sees, else through the process's root.
func seenFromHere(proc, path string) string {
	theirs := filepath.Join(proc, "root", path)
	a, errA := os.Stat(path)
	b, errB := os.Stat(theirs)
	if errA == nil && errB == nil && os.SameFile(a, b) || errB != nil {
		return path
	}
	return theirs
}
