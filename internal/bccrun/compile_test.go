//go:build cgo

package bccrun

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

func needClang(t *testing.T) {
	if _, err := exec.LookPath("clang"); err != nil {
		if os.Getenv("EBPF_HELLO_REQUIRE_BPF") != "" {
			t.Fatal("clang is needed: ", err)
		}
		t.Skip("no clang")
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no kernel BTF")
	}
}

// Every golden translation compiles with run's compiler as it is: what
// run --emit prints runs on its own.
func TestGoldenTranslationsCompile(t *testing.T) {
	needClang(t)
	files, _ := filepath.Glob("../bcc/testdata/golden/*.bpf.c")
	if len(files) < 5 {
		t.Fatalf("golden files: %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if _, err := compile.Object(ctx, compile.Source{Path: f}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// clang's messages point at the learner's own file and line, through the
// translation.
func TestCompileErrorsPointAtTheLearnersLine(t *testing.T) {
	needClang(t)
	dir := t.TempDir()
	src, err := os.ReadFile("../bcc/testdata/tutorial/hello2.c")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), "  return 0;", "  return zzz;", 1)
	line := 1 + strings.Count(bad[:strings.Index(bad, "return zzz")], "\n")
	path := filepath.Join(dir, "hello2.c")
	os.WriteFile(path, []byte(bad), 0o644)
	p, err := Prepare(Input{Path: path, Attach: []runplan.Attach{{Program: "hello_world", Kind: runplan.Kprobe, Target: "do_sys_openat2"}},
		Options: bcc.Options{Tracefs: "../bcc/testdata/tracefs"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err = compile.Object(ctx, compile.Source{Path: filepath.Join(dir, p.Name), Text: p.C, Name: "hello2.c"})
	var ce *compile.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want a compile error", err)
	}
	want := "hello2.c:" + strconv.Itoa(line) + ":10: error: use of undeclared identifier 'zzz'"
	if !strings.Contains(ce.Diagnostics, want) {
		t.Errorf("diagnostics lack %q:\n%s", want, ce.Diagnostics)
	}
}
