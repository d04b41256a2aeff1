// Package valuenames names the numbers a learner's event carries: errno
// values, signals, syscall numbers, open(2) flags and TCP states, as the
// upstream tools' loaders print them (strerror-style names, not
// descriptions). Numbers are this machine's architecture's: the binary
// runs on the kernel it traces.
package valuenames
