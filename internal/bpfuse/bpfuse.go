// Package bpfuse tells how a compiled BPF object's code uses its global
// variables: which bytes of .rodata, .data and .bss it reads, writes, or
// hands to a helper. `run --set` needs it: clang folds the value of a
// `const` global without `volatile` into the code, so setting it changes
// nothing, and a global the code only writes is a result, not a setting.
//
// The analysis is the simple one a reader does by eye: a global's address
// is loaded into a register (ld_imm64 of a data section), and the loads
// and stores through that register (or copies of it) until it is
// overwritten say what the code does there. It follows instructions in
// order, not every path, so it may see a use on a path that never runs;
// it never misses one, which is what refusing a setting needs.
package bpfuse

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Access is what the code does with some bytes of a data section.
type Access struct {
	Section      string // ".rodata", ".bss", ".data" or a named .data.X section
	Offset, Size int    // Size -1: from Offset on, extent unknown (an index was added)
	Read, Write  bool
	Helper       bool // its address was passed to a helper (which may read or write it)
}

// Accesses lists every access the object's programs make to its data
// sections.
func Accesses(obj []byte) ([]Access, error) {
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("read the object's code: %w", err)
	}
	var all []Access
	for _, p := range spec.Programs {
		all = append(all, programAccesses(p.Instructions)...)
	}
	return all, nil
}

// pointer is a register known to hold the address of section+offset.
type pointer struct {
	section string
	offset  int
	exact   bool // false once an unknown value was added
}

func programAccesses(insns asm.Instructions) []Access {
	var out []Access
	regs := map[asm.Register]pointer{}
	add := func(p pointer, off int16, size int, read, write, helper bool) {
		a := Access{Section: p.section, Offset: p.offset + int(off), Size: size, Read: read, Write: write, Helper: helper}
		if !p.exact {
			a.Offset, a.Size = p.offset, -1
		}
		out = append(out, a)
	}
	for _, ins := range insns {
		op := ins.OpCode
		switch {
		case ins.IsLoadFromMap() && op.IsDWordLoad() && isDataSection(ins.Reference()) && ins.Src == asm.PseudoMapValue:
			regs[ins.Dst] = pointer{section: ins.Reference(), offset: int(uint64(ins.Constant) >> 32), exact: true}
			continue
		case op.Class() == asm.LdXClass:
			if p, ok := regs[ins.Src]; ok {
				add(p, ins.Offset, op.Size().Sizeof(), true, false, false)
			}
		case op.Class() == asm.StXClass && op.Mode() == asm.AtomicMode:
			if p, ok := regs[ins.Dst]; ok {
				add(p, ins.Offset, op.Size().Sizeof(), true, true, false)
			}
			continue // the base register keeps the address
		case op.Class() == asm.StXClass || op.Class() == asm.StClass:
			if p, ok := regs[ins.Dst]; ok {
				add(p, ins.Offset, op.Size().Sizeof(), false, true, false)
			}
			if p, ok := regs[ins.Src]; ok && op.Class() == asm.StXClass {
				add(p, 0, -1, true, true, true) // the address escapes to memory
			}
			continue
		case op.Class() == asm.JumpClass && op.JumpOp() == asm.Call:
			for r := asm.R1; r <= asm.R5; r++ {
				if p, ok := regs[r]; ok {
					add(p, 0, -1, true, true, true)
				}
			}
			for r := asm.R0; r <= asm.R5; r++ {
				delete(regs, r) // clobbered by the call
			}
			continue
		case op.Class().IsALU():
			p, ok := regs[ins.Dst]
			switch {
			case op.ALUOp() == asm.Mov && op.Source() == asm.RegSource:
				if q, ok := regs[ins.Src]; ok {
					regs[ins.Dst] = q
				} else {
					delete(regs, ins.Dst)
				}
			case ok && op.ALUOp() == asm.Add && op.Source() == asm.ImmSource && op.Class() == asm.ALU64Class:
				p.offset += int(ins.Constant)
				regs[ins.Dst] = p
			case ok && (op.ALUOp() == asm.Add || op.ALUOp() == asm.Sub) && op.Class() == asm.ALU64Class:
				p.exact = false // base plus an index
				regs[ins.Dst] = p
			default:
				delete(regs, ins.Dst)
			}
			continue
		}
		if op.Class() == asm.LdClass || op.Class() == asm.LdXClass {
			delete(regs, ins.Dst)
		}
	}
	return out
}

func isDataSection(name string) bool {
	for _, s := range []string{".rodata", ".data", ".bss"} {
		if name == s || strings.HasPrefix(name, s+".") {
			return true
		}
	}
	return false
}

// Use is what the code does with one global.
type Use struct {
	Read, Write, Helper bool
}

// Referenced: the code touches the global at all.
func (u Use) Referenced() bool { return u.Read || u.Write || u.Helper }

// Of sums the accesses that touch section[offset, offset+size).
func Of(accesses []Access, section string, offset, size int) Use {
	var u Use
	for _, a := range accesses {
		if a.Section != section {
			continue
		}
		end := a.Offset + a.Size
		if a.Size < 0 {
			end = int(^uint(0) >> 1)
		}
		if a.Offset < offset+size && end > offset {
			u.Read = u.Read || a.Read
			u.Write = u.Write || a.Write
			u.Helper = u.Helper || a.Helper
		}
	}
	return u
}

// MapUse is what the code does with a map, by the helpers it is passed to.
type MapUse struct {
	Lookup, Update, Delete bool
	Output                 bool // perf event output, ring buffer, stack id, tail call...
}

// Maps tells, per map name, which helpers the object's programs call on
// it (the map's address in R1 at the call, as clang passes it).
func Maps(obj []byte) (map[string]MapUse, error) {
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("read the object's code: %w", err)
	}
	uses := map[string]MapUse{}
	for _, p := range spec.Programs {
		programMapUses(p.Instructions, uses)
	}
	return uses, nil
}

func programMapUses(insns asm.Instructions, uses map[string]MapUse) {
	regs := map[asm.Register]string{} // register -> the map whose address it holds
	for _, ins := range insns {
		op := ins.OpCode
		switch {
		case ins.IsLoadFromMap() && op.IsDWordLoad() && ins.Src == asm.PseudoMapFD:
			regs[ins.Dst] = ins.Reference()
			continue
		case op.Class() == asm.JumpClass && op.JumpOp() == asm.Call:
			if name, ok := regs[asm.R1]; ok && ins.IsBuiltinCall() {
				u := uses[name]
				switch asm.BuiltinFunc(ins.Constant) {
				case asm.FnMapLookupElem, asm.FnMapLookupPercpuElem:
					u.Lookup = true
				case asm.FnMapUpdateElem:
					u.Update = true
				case asm.FnMapDeleteElem:
					u.Delete = true
				default:
					u.Output = true
				}
				uses[name] = u
			}
			// bpf_perf_event_output(ctx, &map, ...) and friends take the
			// map in R2.
			if name, ok := regs[asm.R2]; ok && ins.IsBuiltinCall() {
				switch asm.BuiltinFunc(ins.Constant) {
				case asm.FnPerfEventOutput, asm.FnGetStackid, asm.FnTailCall, asm.FnSkbOutput:
					u := uses[name]
					u.Output = true
					uses[name] = u
				}
			}
			for r := asm.R0; r <= asm.R5; r++ {
				delete(regs, r)
			}
			continue
		case op.Class().IsALU() && op.ALUOp() == asm.Mov && op.Source() == asm.RegSource:
			if name, ok := regs[ins.Src]; ok {
				regs[ins.Dst] = name
				continue
			}
		}
		if writesDst(op) {
			delete(regs, ins.Dst)
		}
	}
}

// writesDst: the instruction sets its destination register.
func writesDst(op asm.OpCode) bool {
	switch op.Class() {
	case asm.LdClass, asm.LdXClass, asm.ALUClass, asm.ALU64Class:
		return true
	}
	return false
}

// Helpers lists the BPF helpers the object's programs call, by number,
// sorted (what `run --check` says a program needs of the kernel).
func Helpers(obj []byte) ([]asm.BuiltinFunc, error) {
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("read the object's code: %w", err)
	}
	seen := map[asm.BuiltinFunc]bool{}
	for _, p := range spec.Programs {
		for _, ins := range p.Instructions {
			if ins.IsBuiltinCall() {
				seen[asm.BuiltinFunc(ins.Constant)] = true
			}
		}
	}
	var fns []asm.BuiltinFunc
	for f := range seen {
		fns = append(fns, f)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i] < fns[j] })
	return fns, nil
}
