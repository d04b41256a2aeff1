package bccrun

import (
	"bufio"
	"errors"
	"github.com/cilium/ebpf/btf"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/ebpf-hello/ebpf-hello/internal/bccpy"
)

// maxFunctionList bounds what is read of available_filter_functions (about
// 2 MB on a distribution kernel with its modules).
const maxFunctionList = 64 << 20

// kernelFunctions is what BCC's BPF.get_kprobe_functions looks at on this
// kernel: the functions of tracefs's available_filter_functions and
// debugfs's kprobes/blacklist. A list the kernel refuses to root (EPERM)
// is empty, as BCC reads it; nil when the list is unknown for another
// reason (no tracefs here, not root), so that the script's alternatives
// stay alternatives for run to try.
// note says what the script's kernel checks are decided on, when that is
// worth a line.
func kernelFunctions(tracefs string) (k *bccpy.Kernel, note string) {
	if tracefs == "" {
		tracefs = "/sys/kernel/tracing"
	}
	path := filepath.Join(tracefs, "available_filter_functions")
	names, err := readNames(path, 0)
	switch {
	case errors.Is(err, syscall.EPERM): // as root, under lockdown or in some containers
		return &bccpy.Kernel{FilterFunctions: []string{}},
			"the kernel refuses to list " + path + " (operation not permitted): BPF.get_kprobe_functions finds nothing here, as in BCC, so the script's else branches are taken"
	case err != nil:
		return nil, "the kernel's probeable functions are unknown (" + path + " unreadable): the script's BPF.get_kprobe_functions alternatives are all kept, tried in order"
	}
	k = &bccpy.Kernel{FilterFunctions: names}
	// "0xffffffff81000000-0xffffffff81000010\tname": the name is the second word
	k.Blacklist, _ = readNames("/sys/kernel/debug/kprobes/blacklist", 1)
	return k, ""
}

// readNames reads word k of each line of a file.
func readNames(path string, k int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := []string{}
	sc := bufio.NewScanner(io.LimitReader(f, maxFunctionList))
	for sc.Scan() {
		if w := strings.Fields(sc.Text()); len(w) > k {
			names = append(names, w[k])
		}
	}
	return names, sc.Err()
}

// sysctlPath is a /proc/sys file a script names as a literal.
var sysctlPath = regexp.MustCompile(`"/proc/sys/[a-z0-9_/]+"`)

// sysctls reads the kernel settings a script reads
// (open("/proc/sys/kernel/pid_max").read(): BCC tools size maps by it), at
// most 16 files of at most 4 KiB each; unreadable ones are left out.
func sysctls(script []byte) map[string]string {
	out := map[string]string{}
	for _, m := range sysctlPath.FindAll(script, 16) {
		path := string(m[1 : len(m)-1])
		if strings.Contains(path, "..") {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 4096))
		f.Close()
		if err == nil {
			out[path] = string(b)
		}
	}
	return out
}

// hasFieldCall is BPF.kernel_struct_has_field(b'STRUCT', b'FIELD') with
// literal names.
var hasFieldCall = regexp.MustCompile(`kernel_struct_has_field\(\s*b?["']([A-Za-z_][A-Za-z0-9_]*)["']\s*,\s*b?["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\)`)

// structFields answers the script's kernel_struct_has_field questions
// from the kernel's BTF (task_struct has __state from 5.14, state
// before): "STRUCT.FIELD" -> whether it has it. Without BTF: none known.
func structFields(script []byte) map[string]bool {
	calls := hasFieldCall.FindAllSubmatch(script, 64)
	if len(calls) == 0 {
		return nil
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, c := range calls {
		st, field := string(c[1]), string(c[2])
		var s *btf.Struct
		if spec.TypeByName(st, &s) != nil {
			continue
		}
		out[st+"."+field] = hasMember(s, field)
	}
	return out
}

// hasMember looks for a member by name, inside anonymous structs and
// unions too, as C sees them.
func hasMember(t btf.Type, name string) bool {
	var members []btf.Member
	switch t := t.(type) {
	case *btf.Struct:
		members = t.Members
	case *btf.Union:
		members = t.Members
	}
	for _, m := range members {
		if m.Name == name || m.Name == "" && hasMember(btf.UnderlyingType(m.Type), name) {
			return true
		}
	}
	return false
}
