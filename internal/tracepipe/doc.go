// Package tracepipe reads the kernel's trace_pipe and splits its lines into
// the fields the tutorial explains:
//
//	           <...>-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello, World!
//	task (comm) -pid         cpu   flags  timestamp    function          message
//
// libbpfgo used to ship a trace_pipe helper; it was removed in 2025, so this
// project keeps its own. The parser relies on the one width the kernel
// guarantees, the 16 columns of the right-aligned comm, so a comm cannot
// forge the fields after it; a line it cannot split is returned unparsed
// (to be shown raw), never dropped.
package tracepipe
