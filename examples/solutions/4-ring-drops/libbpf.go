package main

// libbpf is linked statically from Debian's libbpf-dev (libbpf.a), as
// ebpf-hello itself is, so the binary runs where libbpf is not installed.

// #cgo LDFLAGS: -l:libbpf.a -lelf -lz -lzstd
import "C"

import (
	"fmt"
	"os"
	"strings"

	bpf "github.com/aquasecurity/libbpfgo"
)

// libbpfLog keeps libbpf's warnings. They are shown only if loading fails:
// then they hold the verifier's log.
var libbpfLog strings.Builder

func init() {
	bpf.SetLoggerCbs(bpf.Callbacks{Log: func(level int, msg string) {
		if level == bpf.LibbpfWarnLevel {
			libbpfLog.WriteString(msg)
		}
	}})
}

// loadError explains a failed BPFLoadObject. Its error alone is often just
// "permission denied", which reads like a missing sudo; usually the
// verifier refused the program, and its log says why.
func loadError(err error) error {
	log := libbpfLog.String()
	fmt.Fprint(os.Stderr, log)
	if reason := verifierReason(log); reason != "" {
		return fmt.Errorf("load BPF object: %w: the verifier refused it: %s (its log is above)", err, reason)
	}
	return fmt.Errorf("load BPF object: %w", err)
}

// verifierReason is the verifier's last word: the line before its
// "processed N insns" summary, inside libbpf's PROG LOAD LOG.
func verifierReason(log string) string {
	_, body, ok := strings.Cut(log, "-- BEGIN PROG LOAD LOG --")
	if !ok {
		return ""
	}
	body, _, _ = strings.Cut(body, "-- END PROG LOAD LOG --")
	reason := ""
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "processed ") {
			break
		}
		if line != "" {
			reason = line
		}
	}
	return reason
}
