package event

// HelloMessage is what hello.bpf.c writes to trace_pipe on every open
// (its hello_message[], checked against the object's BTF by layout_test.go).
const HelloMessage = "Hello, World!"
