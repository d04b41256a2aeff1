package bcc

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

var update = flag.Bool("update", false, "rewrite the golden translations in testdata/golden")

// testNames reads testdata/kernel-names.txt.
func testNames(t testing.TB) *KernelNames {
	data, err := os.ReadFile("testdata/kernel-names.txt")
	if err != nil {
		t.Fatal(err)
	}
	kn := &KernelNames{Ordinary: map[string]bool{}, Tags: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "ordinary" {
			kn.Ordinary[f[1]] = true
		} else if len(f) == 2 && f[0] == "tag" {
			kn.Tags[f[1]] = true
		}
	}
	return kn
}

func testOptions(t testing.TB, attach ...runplan.Attach) Options {
	return Options{Attach: attach, Tracefs: "testdata/tracefs", KernelNames: testNames(t), Arch: "amd64"}
}

// runFlags reads the attach flags of a test program's "// run:" line.
func runFlags(t *testing.T, src []byte) []runplan.Attach {
	var out []runplan.Attach
	for _, line := range strings.Split(string(src), "\n") {
		rest, ok := strings.CutPrefix(line, "// run: ebpf-hello run ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		for k := 1; k+1 < len(f); k += 2 {
			kind := runplan.AttachKind(strings.ReplaceAll(strings.TrimPrefix(f[k], "--"), "-", "_"))
			a, err := ParseAttach(kind, f[k+1], "amd64")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
		}
	}
	return out
}

// TestGolden translates every program of testdata (the tutorial's and the
// project's own) and compares with testdata/golden; -update rewrites them.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/programs/*.c")
	files = append(files, "testdata/tutorial/hello.c", "testdata/tutorial/hello2.c")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			attach := runFlags(t, src)
			if strings.Contains(f, "tutorial") { // as hello.py and hello2.py attach them
				attach = []runplan.Attach{{Program: "hello_world", Kind: runplan.Kprobe, Target: "do_sys_openat2"}}
			}
			p, err := Translate(src, f, testOptions(t, attach...))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata/golden", p.Name)
			if *update {
				if err := os.MkdirAll("testdata/golden", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, p.C, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(want, p.C) {
				t.Errorf("%s differs from the translation of %s (go test ./internal/bcc -run TestGolden -update, then review the diff)", golden, f)
			}
		})
	}
}
