package bccrun

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

const tutorial = "../bcc/testdata/tutorial"

func opts() bcc.Options {
	return bcc.Options{Tracefs: "../bcc/testdata/tracefs", KernelNames: &bcc.KernelNames{}, Arch: "amd64"}
}

func TestHelloPy(t *testing.T) {
	p, err := Prepare(Input{Path: filepath.Join(tutorial, "hello.py"), Options: opts()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plan.Attach) != 1 || p.Plan.Attach[0].Program != "hello_world" || len(p.Plan.Attach[0].Fallback) == 0 {
		t.Errorf("attach %+v", p.Plan.Attach)
	}
	if len(p.Plan.Outputs) != 1 || p.Plan.Outputs[0].Kind != runplan.TracePipe || p.Plan.Outputs[0].Format != "raw" {
		t.Errorf("outputs %+v", p.Plan.Outputs)
	}
	if !strings.Contains(string(p.C), `#line 1 "hello.c"`) {
		t.Errorf("the C is not hello.c's:\n%s", p.C)
	}
}

// hello2.py names trace-open.c; the tutorial's file is hello2.c.
func TestHello2PyNeedsSrc(t *testing.T) {
	_, err := Prepare(Input{Path: filepath.Join(tutorial, "hello2.py"), Options: opts()})
	want := `hello2.py loads src_file="trace-open.c", which is not in ../bcc/testdata/tutorial; hello2.c is: run it with --src ../bcc/testdata/tutorial/hello2.c`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant %s", err, want)
	}
	p, err := Prepare(Input{Path: filepath.Join(tutorial, "hello2.py"), Src: filepath.Join(tutorial, "hello2.c"), Options: opts()})
	if err != nil {
		t.Fatal(err)
	}
	o := p.Plan.Outputs
	if len(o) != 1 || o[0].Kind != runplan.Events || o[0].Map != "events" || o[0].Type != "data_t" || o[0].Print == nil {
		t.Errorf("outputs %+v", o)
	}
	if len(p.Plan.Header) != 1 || !strings.HasPrefix(p.Plan.Header[0], "TIME(s)") {
		t.Errorf("header %q", p.Plan.Header)
	}
	// the generated C carries the plan, for run --emit
	if got, err := runplan.FromSource(p.C); err != nil || got == nil || !reflect.DeepEqual(*got, p.Plan) {
		t.Errorf("plan in the C: %+v, %v", got, err)
	}
}

// A script's map named like a vmlinux.h type: its output follows the rename.
func TestRenamedMapOutput(t *testing.T) {
	dir := t.TempDir()
	py := "from bcc import BPF\nb = BPF(src_file='c.c')\nb.attach_kprobe(event='vfs_read', fn_name='f')\nfor k, v in b['config'].items():\n    print(k.value, v.value)\n"
	c := "BPF_HASH(config, u32, u64);\nint f(void *ctx) { u32 k = 1; config.increment(k); return 0; }\n"
	os.WriteFile(filepath.Join(dir, "s.py"), []byte(py), 0o644)
	os.WriteFile(filepath.Join(dir, "c.c"), []byte(c), 0o644)
	o := opts()
	o.KernelNames = &bcc.KernelNames{Ordinary: map[string]bool{"config": true}, Tags: map[string]bool{}}
	p, err := Prepare(Input{Path: filepath.Join(dir, "s.py"), Options: o})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plan.Outputs) != 1 || p.Plan.Outputs[0].Map != "config_map" || p.Plan.Outputs[0].Title != "config" {
		t.Errorf("outputs %+v", p.Plan.Outputs)
	}
}

func TestIsBCC(t *testing.T) {
	for _, tt := range []struct {
		path, text string
		bcc        bool
	}{
		{"hello.c", "int hello_world(void *ctx) { return 0; }", true},
		{"x.bpf.c", "int x;", false},
		{"x.c", "#include \"vmlinux.h\"\nSEC(\"tp/x/y\") int f() {}", false},
		{"x.c", "SEC(\"tp/x/y\")\nint f() {}", false},
		{"count.c", "BPF_HASH(config); // config is a type in vmlinux.h\n", true},
	} {
		if got := IsBCC(tt.path, []byte(tt.text)); got != tt.bcc {
			t.Errorf("IsBCC(%s) = %v", tt.path, got)
		}
	}
	if !IsScript("x.py", nil) || !IsScript("tool", []byte("#!/usr/bin/env python3\n")) || IsScript("x.c", []byte("int x;")) {
		t.Error("IsScript")
	}
}
