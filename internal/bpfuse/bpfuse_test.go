package bpfuse

import (
	"testing"

	"github.com/cilium/ebpf/asm"
)

// globalAt is the ld_imm64 clang emits for &global: a map value load of
// the data section with the offset in the upper half of the constant.
func globalAt(dst asm.Register, section string, offset uint32) asm.Instruction {
	return asm.LoadMapValue(dst, 0, offset).WithReference(section)
}

// The shapes clang emits for the globals of minimal programs: a filter read
// (const volatile), a result written (my_pid = pid), a counter added to
// atomically, a string passed to bpf_printk, and an array indexed.
func TestProgramAccesses(t *testing.T) {
	insns := asm.Instructions{
		// if (targ_pid && pid != targ_pid): .rodata+4, read through a copy
		globalAt(asm.R1, ".rodata", 4),
		asm.Mov.Reg(asm.R3, asm.R1),
		asm.LoadMem(asm.R2, asm.R3, 0, asm.Word),
		// my_pid = pid: .bss+0, written
		globalAt(asm.R1, ".bss", 0),
		asm.StoreMem(asm.R1, 0, asm.R0, asm.Word),
		// __sync_fetch_and_add(&counter, 1): .bss+8
		globalAt(asm.R2, ".bss", 8),
		asm.StoreXAdd(asm.R2, asm.R1, asm.DWord),
		// bpf_printk(fmt): .rodata+8 passed to a helper
		globalAt(asm.R1, ".rodata", 8),
		asm.Mov.Imm(asm.R2, 5),
		asm.Mov.Imm(asm.R3, 3),
		asm.FnTracePrintk.Call(),
		// R1 was clobbered by the call: this load is of something else
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word),
		// values[i]: .data+16 plus an index, read
		globalAt(asm.R4, ".data", 16),
		asm.Add.Reg(asm.R4, asm.R5),
		asm.LoadMem(asm.R2, asm.R4, 0, asm.Word),
		// a register overwritten no longer points at the global
		globalAt(asm.R6, ".bss", 32),
		asm.Mov.Imm(asm.R6, 0),
		asm.StoreMem(asm.R6, 0, asm.R0, asm.Word),
		asm.Return(),
	}
	got := programAccesses(insns)
	for _, c := range []struct {
		name            string
		section         string
		offset, size    int
		read, write, hp bool
	}{
		{"pid_filter (folded)", ".rodata", 0, 4, false, false, false},
		{"targ_pid", ".rodata", 4, 4, true, false, false},
		{"fmt", ".rodata", 8, 5, true, true, true},
		{"my_pid", ".bss", 0, 4, false, true, false},
		{"padding", ".bss", 4, 4, false, false, false},
		{"counter", ".bss", 8, 8, true, true, false},
		{"unused", ".bss", 32, 4, false, false, false},
		{"values[]", ".data", 16, 64, true, false, false},
		{"before values", ".data", 0, 16, false, false, false},
	} {
		u := Of(got, c.section, c.offset, c.size)
		if u.Read != c.read || u.Write != c.write || u.Helper != c.hp {
			t.Errorf("%s: %+v, want read %v write %v helper %v (accesses %+v)", c.name, u, c.read, c.write, c.hp, got)
		}
	}
}

// FuzzAccesses: any bytes as an object give accesses or an error, never a
// panic (objects come from users).
func FuzzAccesses(f *testing.F) {
	f.Add([]byte("\x7fELF"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		accesses, err := Accesses(b)
		if err == nil {
			_ = Of(accesses, ".bss", 0, 4)
		}
	})
}

// The helpers each map is passed to: a start map updated on entry, looked
// up and deleted on exit; a counts map looked up; events output through.
func TestProgramMapUses(t *testing.T) {
	mapAt := func(dst asm.Register, name string) asm.Instruction {
		return asm.LoadMapPtr(dst, 0).WithReference(name)
	}
	insns := asm.Instructions{
		mapAt(asm.R1, "start"),
		asm.FnMapUpdateElem.Call(),
		mapAt(asm.R1, "start"),
		asm.FnMapLookupElem.Call(),
		mapAt(asm.R6, "start"),
		asm.Mov.Reg(asm.R1, asm.R6), // through a copy
		asm.FnMapDeleteElem.Call(),
		mapAt(asm.R1, "counts"),
		asm.FnMapLookupElem.Call(),
		mapAt(asm.R2, "events"),
		asm.FnPerfEventOutput.Call(),
		mapAt(asm.R1, "stale"),
		asm.Mov.Imm(asm.R1, 0), // overwritten before the call
		asm.FnMapDeleteElem.Call(),
		asm.Return(),
	}
	uses := map[string]MapUse{}
	programMapUses(insns, uses)
	want := map[string]MapUse{
		"start":  {Lookup: true, Update: true, Delete: true},
		"counts": {Lookup: true},
		"events": {Output: true},
	}
	if len(uses) != len(want) {
		t.Errorf("uses %+v, want %+v", uses, want)
	}
	for name, w := range want {
		if uses[name] != w {
			t.Errorf("%s: %+v, want %+v", name, uses[name], w)
		}
	}
}
