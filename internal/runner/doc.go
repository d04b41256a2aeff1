// Package runner is the engine of `ebpf-hello run`: it loads a learner's
// compiled BPF object, attaches every program, and shows what the programs
// produce with no user-space code from the learner.
//
// What to attach: the runplan.Plan's Attach list when the BCC front end
// gave one (with its fallbacks), else every program by its SEC() name.
// kprobe targets are checked against available_filter_functions, and a
// compiler-renamed variant (do_sys_openat2.isra.0) is used when the plain
// name is missing. Where a kprobe on a syscall entry (__x64_sys_openat,
// sys_openat, do_sys_openat2) cannot attach, as on kernels without
// CONFIG_KPROBES, and the program does not read the probe's registers, it
// is loaded as a tracepoint program on the matching syscalls:sys_enter_*
// tracepoints. Each program's fate is reported on stderr in a few words.
//
// What to show: the Plan's Outputs, else inferred from the object:
//   - trace_pipe lines when a program calls bpf_trace_printk/vprintk;
//   - one row per event for each perf event array and ring buffer, decoded
//     by the event struct's BTF. The struct is found (btfview.EventType):
//     by --event-type NAME; else by a marker, a global pointer to it as
//     libbpf-bootstrap declares `const struct event *unused __attribute__((unused));`
//     (with several, the one whose name contains the map's); else by the
//     usual names `struct <map>_event`, `struct event`, `struct data_t`;
//   - hash and array maps at exit and every --interval, items sorted by
//     value; a map whose name contains "hist" as a log2 histogram.
//
// libbpf's internal maps (.rodata, .bss, .data, .kconfig) are never shown.
//
// An event whose length does not fit its struct is counted and warned
// about once (a longer one is shown by the struct's first bytes, a shorter
// one cannot be), but for the lengths that fit for good reasons: perf's
// padding, a flexible array member, a used prefix of the struct's last
// array. Maps are printed at most every MinInterval. When another process
// reads trace_pipe, a program that prints still runs with its other
// outputs, and one line says who holds trace_pipe.
//
// What the object, its plan or the file system names (notes, headers,
// print formats, SEC() targets, file names) is escaped by textsafe
// wherever it is printed, and every stderr line and error is one line.
package runner
