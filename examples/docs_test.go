package examples_test

// The workshop sheets and the side-by-side page name files and show code:
// these tests keep them true.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/bccrun"
	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

var pages = []string{
	"../docs/workshop.md", "../docs/workshop.zh.md",
	"../docs/bcc-to-libbpf.md", "../docs/bcc-to-libbpf.zh.md",
	"01-hello-printk/README.md", "01-hello-printk/README.zh.md",
	"02-trace-open/README.md", "02-trace-open/README.zh.md",
	"03-ring-buffer/README.md", "03-ring-buffer/README.zh.md",
}

// TestPagesNameFilesThatExist: every `examples/...` path the pages give is
// in the repository (binaries, which only a build makes, aside).
func TestPagesNameFilesThatExist(t *testing.T) {
	pathRE := regexp.MustCompile("`(?:sudo )?(examples/[A-Za-z0-9_./-]+)")
	checked := 0
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pathRE.FindAllStringSubmatch(string(text), -1) {
			path := strings.TrimSuffix(strings.TrimPrefix(m[1], "examples/"), "/")
			if strings.HasPrefix(path, "my-") {
				continue // the learner's own copy
			}
			checked++
			if _, err := os.Stat(path); err != nil {
				dir := filepath.Dir(path)
				_, merr := os.Stat(filepath.Join(dir, "main.go"))
				if merr == nil && filepath.Base(path) == strings.TrimLeft(filepath.Base(dir), "0123456789-") {
					continue // a binary: make examples builds it
				}
				t.Errorf("%s names %s, which does not exist", page, m[1])
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d paths found in the pages: is the pattern still right?", checked)
	}
}

// TestSideBySideCodeCompiles: the libbpf-style code the side-by-side pages
// show compiles as it is shown.
func TestSideBySideCodeCompiles(t *testing.T) {
	vmlinux, err := filepath.Abs("../bpf/vmlinux.h")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(vmlinux); err != nil {
		testenv.Skip(t, "../bpf/vmlinux.h not generated: run make examples")
	}
	blockRE := regexp.MustCompile("(?s)```c\n(.*?)```")
	for _, page := range []string{"../docs/bcc-to-libbpf.md", "../docs/bcc-to-libbpf.zh.md"} {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range blockRE.FindAllStringSubmatch(string(text), -1) {
			if !strings.Contains(m[1], `#include "vmlinux.h"`) {
				continue // BCC's dialect: run compiles that
			}
			n++
			src := filepath.Join(t.TempDir(), "snippet.bpf.c")
			if err := os.WriteFile(src, []byte(m[1]), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("clang", "-g", "-O2", "-Wall", "-Werror", "-target", "bpf", "-D__TARGET_ARCH_"+targetArch(),
				"-I", filepath.Dir(vmlinux), "-c", src, "-o", src+".o").CombinedOutput()
			if err != nil {
				t.Errorf("%s, libbpf block %d: %v\n%s", page, n, err, out)
			}
		}
		if n != 2 {
			t.Errorf("%s: %d libbpf-style blocks, want 2 (hello and trace-open)", page, n)
		}
	}
}

// TestSideBySideEmitIsCurrent: the excerpts of `run --emit` output the
// side-by-side pages show are what the BCC translator prints today. When
// the translator changes on purpose, update the pages' emit blocks (both
// languages) from `ebpf-hello run --emit examples/c-only/bcc/hello2.py`.
func TestSideBySideEmitIsCurrent(t *testing.T) {
	blockRE := regexp.MustCompile("(?s)```c emit:([a-z0-9.]+)\n(.*?)```")
	for _, page := range []string{"../docs/bcc-to-libbpf.md", "../docs/bcc-to-libbpf.zh.md"} {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		blocks := blockRE.FindAllStringSubmatch(string(text), -1)
		if len(blocks) == 0 {
			t.Fatalf("%s shows no run --emit output", page)
		}
		for _, b := range blocks {
			prog, err := bccrun.Prepare(bccrun.Input{Path: "c-only/bcc/" + b[1], Options: bcc.Options{Tracefs: "/sys/kernel/tracing"}})
			if err != nil {
				t.Fatalf("%s: translate %s: %v", page, b[1], err)
			}
			emitted := map[string]bool{}
			for _, line := range strings.Split(string(prog.C), "\n") {
				emitted[strings.TrimSpace(line)] = true
			}
			for _, line := range strings.Split(b[2], "\n") {
				line = strings.TrimSpace(line)
				if line != "" && line != "..." && !emitted[line] {
					t.Errorf("%s: %q is not in run --emit %s's output any more", page, line, b[1])
				}
			}
		}
	}
}
