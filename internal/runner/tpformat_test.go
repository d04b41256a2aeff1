package runner

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// The record of syscalls:sys_enter_openat as a mainline kernel writes it,
// and as an out-of-tree PREEMPT_RT kernel (5.10-rt) does, with two more
// common fields: there the event's fields start 8 bytes later than the
// BTF's struct trace_event_raw_sys_enter says (every filename read empty).
const mainlineFormat = `name: sys_enter_openat
ID: 782
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int dfd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
`

const rtFormat = `name: sys_enter_openat
ID: 613
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;
	field:unsigned char common_migrate_disable;	offset:8;	size:1;	signed:0;
	field:unsigned char common_preempt_lazy_count;	offset:9;	size:1;	signed:0;

	field:int __syscall_nr;	offset:16;	size:4;	signed:1;
	field:int dfd;	offset:24;	size:8;	signed:0;
	field:const char * filename;	offset:32;	size:8;	signed:0;
`

func TestRecordMismatch(t *testing.T) {
	// struct trace_event_raw_sys_enter { struct trace_entry ent; long id; unsigned long args[6]; char __data[0]; }
	// as the kernel's BTF has it (trace_entry: 8 bytes).
	long := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	entry := &btf.Struct{Name: "trace_entry", Size: 8}
	raw := &btf.Struct{Name: "trace_event_raw_sys_enter", Size: 64, Members: []btf.Member{
		{Name: "ent", Type: entry, Offset: 0},
		{Name: "id", Type: long, Offset: 64},
		{Name: "args", Type: &btf.Array{Index: long, Type: long, Nelems: 6}, Offset: 128},
	}}
	kernel, err := btf.NewBuilder([]btf.Type{raw})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := kernel.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadSpecFromReader(strings.NewReader(string(buf)))
	if err != nil {
		t.Fatal(err)
	}
	if msg := recordMismatch("p", "trace_event_raw_sys_enter", "syscalls:sys_enter_openat", mainlineFormat, spec); msg != "" {
		t.Errorf("mainline: %s", msg)
	}
	msg := recordMismatch("p", "trace_event_raw_sys_enter", "syscalls:sys_enter_openat", rtFormat, spec)
	if !strings.Contains(msg, "fields start at byte 8 in this kernel's BTF, but syscalls:sys_enter_openat's records have them at byte 16") {
		t.Errorf("5.10-rt: %q", msg)
	}
	if msg := recordMismatch("p", "my_own_record", "syscalls:sys_enter_openat", rtFormat, spec); msg != "" {
		t.Errorf("a program's own struct is its own business: %s", msg)
	}
}

func TestMainlineCommon(t *testing.T) {
	if !mainlineCommon(mainlineFormat) || mainlineCommon(rtFormat) {
		t.Errorf("mainline %v, rt %v", mainlineCommon(mainlineFormat), mainlineCommon(rtFormat))
	}
}
