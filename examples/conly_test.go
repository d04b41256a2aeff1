//go:build cgo

package examples_test

// The C-only track's BCC-dialect files and solutions, taken as far as `run`
// takes them before loading: translated by the BCC front end (what `run
// --emit` prints), compiled by run's compiler, and planned to show what the
// sheet says run prints. conly_run_test.go runs them for real.

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/bccrun"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

func TestCOnlyBCCFilesTranslateAndCompile(t *testing.T) {
	if _, err := exec.LookPath("clang"); err != nil {
		testenv.Skip(t, "clang not installed (run make setup)")
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		testenv.Skip(t, "no kernel BTF")
	}
	for _, tt := range []struct {
		path   string
		output runplan.OutputKind // what run shows
	}{
		{"c-only/bcc/hello.py", runplan.TracePipe},
		{"c-only/bcc/hello2.py", runplan.Events},
		{"solutions/c-only/1-message/hello.py", runplan.TracePipe},
		{"solutions/c-only/2-namelen/namelen.c", runplan.Log2Hist},
		{"solutions/c-only/3-count/count.c", runplan.Items},
	} {
		t.Run(tt.path, func(t *testing.T) {
			prog, err := bccrun.Prepare(bccrun.Input{Path: tt.path, Options: bcc.Options{Tracefs: "/sys/kernel/tracing"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(prog.Plan.Attach) == 0 {
				t.Errorf("attaches nothing")
			}
			if len(prog.Plan.Outputs) != 1 || prog.Plan.Outputs[0].Kind != tt.output {
				t.Errorf("outputs %+v, want one %s", prog.Plan.Outputs, tt.output)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if _, err := compile.Object(ctx, compile.Source{Name: prog.Name, Text: prog.C}); err != nil {
				t.Errorf("run's compiler refuses the translation: %v", err)
			}
		})
	}
}
