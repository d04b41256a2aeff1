package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// A program reading its tracepoint record as the kernel's struct
// trace_event_raw_* trusts the kernel's BTF for where the event's fields
// are. Out-of-tree PREEMPT_RT kernels (5.10-rt) write more common fields
// in every record than their BTF's struct trace_entry says: every field
// read comes from the wrong place (filenames came out empty), silently.
// The tracepoint's format file says where the fields really are.

var formatFieldRE = regexp.MustCompile(`field:[^;]*?([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?;\s*offset:(\d+);`)

// formatDataOffset is where the event's own fields start in the records,
// from a format file: the first field that is not common_*.
func formatDataOffset(format string) (int, bool) {
	for _, m := range formatFieldRE.FindAllStringSubmatch(format, -1) {
		if strings.HasPrefix(m[1], "common_") {
			continue
		}
		off, err := strconv.Atoi(m[2])
		return off, err == nil
	}
	return 0, false
}

// recordMismatch says, for a program reading struct name on tracepoint
// target ("cat:event"), why its reads would be wrong on this kernel ("" if
// they are not, or nothing can be told).
func recordMismatch(program, name, target, format string, kernel *btf.Spec) string {
	if !strings.HasPrefix(name, "trace_event_raw_") || kernel == nil {
		return ""
	}
	var st *btf.Struct
	if err := kernel.TypeByName(name, &st); err != nil {
		return ""
	}
	want, ok1 := btfview.DataOffset(st)
	got, ok2 := formatDataOffset(format)
	if !ok1 || !ok2 || want == got {
		return ""
	}
	return fmt.Sprintf("warning: %s reads struct %s, whose fields start at byte %d in this kernel's BTF, but %s's records have them at byte %d (its format file; an out-of-tree PREEMPT_RT kernel adds common fields): what it reads there is wrong; declare the record as the format file lays it out",
		textsafe.Escape(program), textsafe.Escape(name), want, textsafe.Escape(target), got)
}

// checkRecords warns about every attached tracepoint program whose record
// struct does not match the records on this kernel.
func checkRecords(obj *btfview.Object, attached map[string]string, tracefs string, notify func(string)) {
	if tracefs == "" || len(attached) == 0 {
		return
	}
	var kernel *btf.Spec // read only when a record is not laid out as mainline's
	for program, target := range attached {
		name := obj.ContextStruct(program)
		if !strings.HasPrefix(name, "trace_event_raw_") {
			continue
		}
		cat, event, _ := strings.Cut(target, ":")
		format, err := os.ReadFile(filepath.Join(tracefs, "events", cat, event, "format"))
		if err != nil || mainlineCommon(string(format)) {
			continue
		}
		if kernel == nil {
			if kernel, err = btf.LoadKernelSpec(); err != nil {
				return
			}
		}
		if msg := recordMismatch(program, name, target, string(format), kernel); msg != "" {
			notify(msg)
		}
	}
}

// mainlineCommon: the record starts with mainline's four common fields
// and the event's own at byte 8, as the kernel's BTF says everywhere but
// on out-of-tree RT kernels: nothing to compare (reading the kernel's BTF
// costs tens of milliseconds).
func mainlineCommon(format string) bool {
	common := strings.Count(format, "field:") - len(formatFieldRE.FindAllString(format, -1))
	off, ok := formatDataOffset(format)
	return common == 0 && ok && off == 8 && strings.Count(format, " common_") == 4
}
