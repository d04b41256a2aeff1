// Package output prints what the commands observe.
//
// Rules: data goes to stdout (tables, or one JSON object per line with
// --json, nothing else); messages, warnings and errors go to stderr,
// prefixed "ebpf-hello:". Writers are buffered: callers Flush when the
// stream goes idle, so output is prompt without a syscall per event.
package output
