package bccrun

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
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
