package runner

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// writeMaps writes what a BCC script wrote into its maps before it started
// tracing (plan.MapWrites): b["config"][ct.c_int(0)] = ct.c_int(1), and a
// program's descriptor into a program array's slot for tail calls. Keys
// and values are encoded to the map's sizes (runplan.MapWrite.Bytes); a
// value that does not fit, a per-CPU map or a map the object lacks is an
// error. A program that is not loaded cannot be put into a slot: that is a
// warning, and tail calls through the slot fall through, as through an
// empty one.
//
// probe.Map reads and deletes but does not update, and probe.Loaded does
// not give a program's descriptor: the kernel objects are found among this
// process's own descriptors, by their kernel names (the first 15 bytes of
// the object's names) and, for maps, their sizes and type as probe.Map
// gives them.
func writeMaps(l *probe.Loaded, writes []runplan.MapWrite, notify func(string)) error {
	if len(writes) == 0 {
		return nil
	}
	own, err := ownObjects()
	if err != nil {
		return fmt.Errorf("write the script's map values: %w", err)
	}
	defer own.close()
	for _, w := range writes {
		name := textsafe.Escape(w.Map)
		pm, err := l.Map(w.Map)
		if err != nil {
			return fmt.Errorf("write the script's map values: %w", err)
		}
		if pm.PerCPU {
			return fmt.Errorf("map %s is per CPU: run writes the script's values only into maps of one value per key", name)
		}
		fd := -1
		if w.Program != "" {
			p, err := own.program(w.Program)
			if err != nil {
				notify(fmt.Sprintf("warning: %s[%s] = %s not written: %v: tail calls through it fall through", name, textsafe.Escape(w.Key), textsafe.Escape(w.Program), err))
				continue
			}
			fd = p.FD()
		}
		key, value, err := w.Bytes(pm.KeySize, pm.ValueSize, fd)
		if err != nil {
			return err
		}
		m, err := own.mapLike(pm)
		if err != nil {
			return err
		}
		if err := m.Update(key, value, ebpf.UpdateAny); err != nil {
			what := textsafe.Escape(w.Value)
			if w.Program != "" {
				what = "program " + textsafe.Escape(w.Program)
			}
			return fmt.Errorf("write %s into map %s[%s]: %w", what, name, textsafe.Escape(w.Key), err)
		}
	}
	return nil
}

// objects are the BPF maps and programs this process holds descriptors of,
// each once (by kernel id), opened on descriptors of their own.
type objects struct {
	maps  []*ebpf.Map
	progs []*ebpf.Program
}

// kernelName is the name the kernel keeps of an object named name.
func kernelName(name string) string {
	const max = unix.BPF_OBJ_NAME_LEN - 1
	if len(name) > max {
		return name[:max]
	}
	return name
}

func ownObjects() (*objects, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	o := &objects{}
	seenMaps := map[ebpf.MapID]bool{}
	seenProgs := map[ebpf.ProgramID]bool{}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		link, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || link != "anon_inode:bpf-map" && link != "anon_inode:bpf-prog" {
			continue
		}
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			continue // closed meanwhile
		}
		if link == "anon_inode:bpf-map" {
			m, err := ebpf.NewMapFromFD(dup)
			if err != nil {
				continue
			}
			if id, ok := mapID(m); !ok || seenMaps[id] {
				m.Close()
				continue
			} else {
				seenMaps[id] = true
			}
			o.maps = append(o.maps, m)
			continue
		}
		p, err := ebpf.NewProgramFromFD(dup)
		if err != nil {
			continue
		}
		info, err := p.Info()
		id, ok := info.ID()
		if err != nil || !ok || seenProgs[id] {
			p.Close()
			continue
		}
		seenProgs[id] = true
		o.progs = append(o.progs, p)
	}
	return o, nil
}

func mapID(m *ebpf.Map) (ebpf.MapID, bool) {
	info, err := m.Info()
	if err != nil {
		return 0, false
	}
	return info.ID()
}

func (o *objects) close() {
	for _, m := range o.maps {
		m.Close()
	}
	for _, p := range o.progs {
		p.Close()
	}
}

// mapLike finds the map probe found: same kernel name, type and sizes.
func (o *objects) mapLike(pm *probe.Map) (*ebpf.Map, error) {
	var found []*ebpf.Map
	for _, m := range o.maps {
		info, err := m.Info()
		if err != nil || info.Name != kernelName(pm.Name) || int(m.KeySize()) != pm.KeySize || int(m.ValueSize()) != pm.ValueSize {
			continue
		}
		found = append(found, m)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("map %s: not found among the loaded object's maps", textsafe.Escape(pm.Name))
	}
	return nil, fmt.Errorf("map %s: %d loaded maps have its kernel name %s and sizes", textsafe.Escape(pm.Name), len(found), textsafe.Escape(kernelName(pm.Name)))
}

// program finds a loaded program by name: its kernel name, and when
// several share it (names longer than 15 bytes), its BTF function name.
func (o *objects) program(name string) (*ebpf.Program, error) {
	var found []*ebpf.Program
	for _, p := range o.progs {
		if info, err := p.Info(); err == nil && info.Name == kernelName(name) {
			found = append(found, p)
		}
	}
	if len(found) > 1 {
		var exact []*ebpf.Program
		for _, p := range found {
			if info, err := p.Info(); err == nil {
				if fns, err := info.FuncInfos(); err == nil && len(fns) > 0 && fns[0].Func != nil && fns[0].Func.Name == name {
					exact = append(exact, p)
				}
			}
		}
		found = exact
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, errors.New("the program is not loaded (run loads the programs it attaches)")
	}
	return nil, fmt.Errorf("%d loaded programs are called %s", len(found), textsafe.Escape(name))
}
