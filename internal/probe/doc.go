// Package probe loads any BPF object into the kernel, attaches its
// programs, and reads what they produce. It is the only package that talks
// to libbpf (through libbpfgo and a little cgo), so everything else stays
// plain Go, testable without root or cgo.
//
// # Loading: a declarative Spec
//
// A Spec is plain data, with no callback into the caller:
//
//   - the object: Object (bytes, e.g. embedded) or Path (a file);
//   - Ways, tried in order: each a Label ("kprobe", "fentry",
//     "tracepoint": what --attach names) and Hooks, each a Program (its C
//     function name), a Kind (kprobe, kretprobe, fentry, fexit, tracepoint,
//     raw_tracepoint, uprobe, uretprobe) and a Target, or a Resolver that
//     picks the target from kernel Facts (open's finds do_sys_openat2 or
//     its compiler-renamed variant in kallsyms);
//   - Globals: name -> Go value, checked against the variable's BTF type
//     (size, signedness, char arrays) so a value that does not fit is an
//     error, never a truncation; a string is parsed by that type (--set);
//   - MapSizes: name -> max_entries (bytes, for a ring buffer);
//   - Buffers: perf event arrays and ring buffers to read, opened after
//     load and before attach (Loaded.Readers), so no early event is lost.
//
// Load(spec, Options{Way, Tracefs}) tries each way on a fresh copy of the
// object: programs the way does not name get autoload off, so a program
// the kernel refuses (fentry on some kernels) cannot take the other ways
// down with it. Each program is loaded as the type its hook's Kind needs,
// whatever its SEC() says: a SEC("kprobe/...") program that reads no
// registers can run as a tracepoint program on a kernel without kprobes.
// Tracepoints this kernel lacks are skipped (Loaded.Absent); a way fails
// only when none of them exist. Uprobe targets are "binary:symbol", where
// binary may be a library name ("c") and an IFUNC symbol (glibc's strlen)
// is resolved to the implementation the dynamic linker picks here.
//
// The result, Loaded, says which way attached (Way, Where), which were
// skipped and why (Skipped), each hook with its resolved target
// (Attached), and Notes: the lines worth printing on stderr. Errors keep
// their causes for errors.Is/As: *VerifierError (the verifier's last
// lines; no other way is tried), *GlobalError, *HookError (which hook
// could not attach), errnos named ("operation not permitted (EPERM)").
//
// Kernel quirks handled here: RLIMIT_MEMLOCK is raised only before 5.11
// (libbpfgo's own bump is skipped: containers refuse it), embedded bytes go
// through a short-lived temporary file for that reason, and fentry/uprobe
// links (which libbpfgo does not record) are destroyed by Close.
//
// # Reading: raw samples and maps
//
// Loaded.Readers (or PerfReader and RingReader) give a Reader whose Read takes every waiting
// sample in one cgo call (batch.c), as raw bytes. It is meant to be read
// every few milliseconds: internal/samples.Stream does that in its own
// goroutine, at most 5 ms apart and at once when a perf buffer is half
// full, and puts the per-CPU samples back in time order from a timestamp
// accessor. Lost counts the perf buffer's losses (all of them from Linux
// 6.0, PERF_FORMAT_LOST; before, as the kernel reports them with a later
// sample), Overflow the samples a Read's batch had no room for. Map gives
// a map's key and value bytes (Lookup, Items, Delete; per-CPU values side
// by side, SumPerCPU adds them).
package probe
