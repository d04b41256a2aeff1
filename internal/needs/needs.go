// Package needs says what a BPF program needs of the kernel, and from
// which Linux version (mainline) each thing is there: `run --check` tells a
// workshop, before class, whether its programs run on the lab machines.
package needs

import (
	"fmt"
	"sort"

	"github.com/cilium/ebpf/asm"
)

// Need is one thing a program needs of the kernel.
type Need struct {
	What  string `json:"what"`  // "ring buffer", "bpf_loop", "kprobes"
	Since string `json:"since"` // the first mainline version with it ("5.8"), "" for a config
	Why   string `json:"why"`   // what in the program needs it
}

// Program is what Of looks at: an object's maps and attach kinds, and the
// helpers its code calls.
type Program struct {
	MapTypes    map[string]uint32 // map name -> BPF_MAP_TYPE_*
	AttachKinds []string          // kprobe, fentry, tracepoint, ... (runplan.AttachKind)
	Helpers     []asm.BuiltinFunc
	Arch        string // GOARCH: fentry came later on arm64
}

// mapTypeRingbuf is BPF_MAP_TYPE_RINGBUF.
const mapTypeRingbuf = 27

// helperSince are the helpers learners' programs use that came after the
// 4.x basics, with the version that added them.
var helperSince = map[asm.BuiltinFunc]string{
	asm.FnProbeReadUser:       "5.5",
	asm.FnProbeReadKernel:     "5.5",
	asm.FnProbeReadUserStr:    "5.5",
	asm.FnProbeReadKernelStr:  "5.5",
	asm.FnGetNsCurrentPidTgid: "5.7",
	asm.FnRingbufOutput:       "5.8",
	asm.FnRingbufReserve:      "5.8",
	asm.FnRingbufSubmit:       "5.8",
	asm.FnRingbufDiscard:      "5.8",
	asm.FnRingbufQuery:        "5.8",
	asm.FnKtimeGetBootNs:      "5.8",
	asm.FnDPath:               "5.10",
	asm.FnCopyFromUser:        "5.10",
	asm.FnPerCpuPtr:           "5.10",
	asm.FnThisCpuPtr:          "5.10",
	asm.FnGetCurrentTaskBtf:   "5.11",
	asm.FnSnprintf:            "5.13",
	asm.FnForEachMapElem:      "5.13",
	asm.FnGetFuncIp:           "5.15",
	asm.FnGetAttachCookie:     "5.15",
	asm.FnTraceVprintk:        "5.16",
	asm.FnLoop:                "5.17",
	asm.FnFindVma:             "5.17",
	asm.FnKtimeGetTaiNs:       "6.1",
	asm.FnUserRingbufDrain:    "6.1",
}

// kindNeeds are the attach kinds that need more than tracepoints do.
func kindNeeds(kind, arch string) (Need, bool) {
	switch kind {
	case "kprobe", "kretprobe", "ksyscall", "kretsyscall":
		return Need{What: "kprobes", Why: kind + " programs (CONFIG_KPROBES)"}, true
	case "fentry", "fexit":
		since := "5.5"
		if arch == "arm64" {
			since = "6.4" // ftrace direct calls on arm64
		}
		return Need{What: "fentry/fexit", Since: since, Why: kind + " programs (BPF trampolines; and the kernel's BTF)"}, true
	case "tp_btf":
		return Need{What: "BTF-typed tracepoints", Since: "5.5", Why: "tp_btf programs"}, true
	case "raw_tracepoint":
		return Need{What: "raw tracepoints", Since: "4.17", Why: "raw_tracepoint programs"}, true
	case "uprobe", "uretprobe", "usdt":
		return Need{What: "uprobes", Why: kind + " programs (CONFIG_UPROBE_EVENTS)"}, true
	case "perf_event":
		return Need{What: "BPF on perf events", Since: "4.9", Why: "perf_event programs (a cpu-clock event per CPU)"}, true
	case "xdp":
		return Need{What: "XDP links", Since: "5.9", Why: "xdp programs, attached to --iface and detached at exit"}, true
	case "tc":
		return Need{What: "tc clsact direct-action filters", Since: "4.5", Why: "tc programs, on --iface's clsact qdisc"}, true
	case "socket":
		return Need{What: "BPF socket filters", Since: "3.19", Why: "socket programs, on a packet socket bound to --iface"}, true
	case "lsm":
		return Need{What: "BPF LSM", Since: "5.7", Why: "lsm programs (CONFIG_BPF_LSM=y and bpf in lsm=)"}, true
	case "iter":
		return Need{What: "BPF iterators", Since: "5.8", Why: "iter programs (task, task_file and map iterators; some others later)"}, true
	}
	return Need{}, false
}

// Of lists what p needs, the kernel's BTF first (CO-RE), in a stable order.
func Of(p Program) []Need {
	out := []Need{{What: "the kernel's BTF", Why: "CO-RE relocations and vmlinux.h (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF)"}}
	seen := map[string]bool{}
	add := func(n Need) {
		if !seen[n.What] {
			seen[n.What] = true
			out = append(out, n)
		}
	}
	var rings []string
	for name, t := range p.MapTypes {
		if t == mapTypeRingbuf {
			rings = append(rings, name)
		}
	}
	sort.Strings(rings)
	for _, name := range rings {
		add(Need{What: "ring buffer", Since: "5.8", Why: "map " + name})
	}
	kinds := append([]string(nil), p.AttachKinds...)
	sort.Strings(kinds)
	for _, k := range kinds {
		if n, ok := kindNeeds(k, p.Arch); ok {
			add(n)
		}
	}
	for _, f := range p.Helpers {
		if since, ok := helperSince[f]; ok {
			add(Need{What: helperName(f), Since: since, Why: "a helper the code calls"})
		}
	}
	return out
}

// helperName is a helper's C name: FnLoop is bpf_loop.
func helperName(f asm.BuiltinFunc) string {
	name := f.String()
	if len(name) > 2 && name[:2] == "Fn" {
		return "bpf_" + snake(name[2:])
	}
	return fmt.Sprintf("helper %d", int32(f))
}

// snake turns GetNsCurrentPidTgid into get_ns_current_pid_tgid.
func snake(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b = append(b, '_')
			}
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
