// Package bcc turns a BCC-dialect BPF C program (the C half of a BCC
// tool: BPF_HASH(...), events.perf_submit(...), TRACEPOINT_PROBE(...),
// kprobe__X functions, typed kprobe arguments, kernel headers) into
// libbpf-style CO-RE C that clang compiles against vmlinux.h, plus a
// runplan.Plan saying what to attach and what to show.
//
// It is a token-level rewriter, not a compiler: it finds BCC's constructs
// by their shape (balanced parentheses, a map's name followed by
// .method(...)) and rewrites only those, leaving every other byte of the
// learner's code in place. Line numbers are kept (removed lines become
// blank lines, longer replacements are followed by #line directives), so
// clang's and the verifier's messages point at the learner's own lines.
//
// What BCC does silently is done here explicitly and visibly in the
// generated C (`ebpf-hello run --emit`): the license, the map definitions
// with BCC's default sizes, the helper calls behind map methods, the
// register reads behind typed arguments, and CO-RE reads behind implicit
// kernel pointer dereferences.
package bcc
