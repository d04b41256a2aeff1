package needs

import (
	"reflect"
	"testing"

	"github.com/cilium/ebpf/asm"
)

func TestOf(t *testing.T) {
	got := Of(Program{
		MapTypes:    map[string]uint32{"rb": mapTypeRingbuf, "counts": 1},
		AttachKinds: []string{"tracepoint", "fentry", "kprobe", "kretprobe"},
		Helpers:     []asm.BuiltinFunc{asm.FnMapLookupElem, asm.FnProbeReadUserStr, asm.FnRingbufReserve, asm.FnLoop},
		Arch:        "arm64",
	})
	var what, since []string
	for _, n := range got {
		what = append(what, n.What)
		since = append(since, n.Since)
	}
	wantWhat := []string{"the kernel's BTF", "ring buffer", "fentry/fexit", "kprobes", "bpf_probe_read_user_str", "bpf_ringbuf_reserve", "bpf_loop"}
	wantSince := []string{"", "5.8", "6.4", "", "5.5", "5.8", "5.17"}
	if !reflect.DeepEqual(what, wantWhat) || !reflect.DeepEqual(since, wantSince) {
		t.Errorf("needs %q since %q\nwant  %q since %q", what, since, wantWhat, wantSince)
	}
	if n := Of(Program{AttachKinds: []string{"fentry"}, Arch: "amd64"}); n[1].Since != "5.5" {
		t.Errorf("fentry on x86-64: %+v", n)
	}
}
