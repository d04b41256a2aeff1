package compile

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Every test shares one cache made for this run (the first compile pays
// for vmlinux.h and the PCH); tests of the cache itself use their own.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ebpf-hello-compile-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("EBPF_HELLO_CACHE", dir)
	code := m.Run()
	pchBuilds.Wait()
	os.RemoveAll(dir)
	os.Exit(code)
}

func needClang(t testing.TB) {
	t.Helper()
	if _, err := findClang(); err != nil {
		t.Skip(err)
	}
	if _, err := headerFiles(); err != nil {
		t.Fatal(err) // make copies them; a test run without make cannot check anything
	}
}

// forgetPrepared makes the next compile look at the cache on disk again,
// as a new process would.
func forgetPrepared() {
	prepared.Lock()
	prepared.byRoot = nil
	prepared.Unlock()
}

const helloTracepoint = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	u32 pid;
	char comm[16];
};
const struct event *unused_event __attribute__((unused));

SEC("tracepoint/syscalls/sys_enter_openat")
int hello(struct trace_event_raw_sys_enter *ctx)
{
	bpf_printk("openat by %d", bpf_get_current_pid_tgid() >> 32);
	return 0;
}
`

func sections(t *testing.T, obj []byte) map[string]*elf.Section {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatalf("not an ELF object: %v", err)
	}
	if f.Machine != elf.EM_BPF {
		t.Fatalf("machine %v, want EM_BPF", f.Machine)
	}
	m := map[string]*elf.Section{}
	for _, s := range f.Sections {
		m[s.Name] = s
	}
	return m
}

func TestObjectFromText(t *testing.T) {
	needClang(t)
	obj, err := Object(context.Background(), Source{Path: "hello.bpf.c", Text: []byte(helloTracepoint)})
	if err != nil {
		t.Fatal(err)
	}
	secs := sections(t, obj)
	for _, want := range []string{"tracepoint/syscalls/sys_enter_openat", "license", ".BTF", ".BTF.ext"} {
		if secs[want] == nil {
			t.Errorf("object has no section %q", want)
		}
	}
}

// The project's own programs compile against the generated vmlinux.h and
// embedded headers, as they do against bpftool's with the Makefile.
func TestObjectProjectPrograms(t *testing.T) {
	needClang(t)
	programs, _ := filepath.Glob("../../bpf/*.bpf.c")
	if len(programs) == 0 {
		t.Fatal("no bpf/*.bpf.c")
	}
	type variant struct {
		path    string
		defines []string
	}
	var variants []variant
	for _, p := range programs {
		variants = append(variants, variant{p, nil})
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("USE_RINGBUF")) {
			variants = append(variants, variant{p, []string{"USE_RINGBUF"}})
		}
	}
	for _, v := range variants {
		t.Run(filepath.Base(v.path)+strings.Join(v.defines, ","), func(t *testing.T) {
			obj, err := Object(context.Background(), Source{Path: v.path, Defines: v.defines})
			if err != nil {
				t.Fatal(err)
			}
			secs := sections(t, obj)
			if secs[".BTF"] == nil || secs["license"] == nil {
				t.Error("no .BTF or license section")
			}
		})
	}
}

func TestCompileErrorPointsAtTheLearnersLines(t *testing.T) {
	needClang(t)
	src := strings.Replace(helloTracepoint, "return 0;", "return undeclared_thing;", 1)
	lineOf := func(s string) int { return 1 + strings.Count(src[:strings.Index(src, s)], "\n") }
	line := lineOf("undeclared_thing")
	for _, tc := range []struct {
		name   string
		source Source
		want   string
	}{
		{"text", Source{Path: "dir/my prog.bpf.c", Text: []byte(src)}, "dir/my prog.bpf.c:" + itoa(line) + ":"},
		{"file", Source{Path: writeTemp(t, "prog.bpf.c", src)}, "prog.bpf.c:" + itoa(line) + ":"},
		{"text named", Source{Name: "doctor.bpf.c", Text: []byte(src)}, "doctor.bpf.c:" + itoa(line) + ":"},
		// The BCC front end's output: #line maps back to the user's file.
		{"line directive", Source{Path: "gen.c", Text: []byte(strings.Replace(src, "SEC(\"tracepoint", "#line 40 \"hello.py\"\nSEC(\"tracepoint", 1))}, "hello.py:" + itoa(40+line-lineOf("SEC(\"tracepoint")) + ":"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Object(context.Background(), tc.source)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *Error", err)
			}
			first, rest, _ := strings.Cut(err.Error(), "\n")
			if !strings.Contains(first, "does not compile (1 error from clang)") {
				t.Errorf("first line %q", first)
			}
			if !strings.Contains(rest, tc.want) || !strings.Contains(rest, "undeclared_thing") {
				t.Errorf("diagnostics do not point at %q:\n%s", tc.want, rest)
			}
		})
	}
}

func TestNoClangSaysHowToInstallIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CLANG", "")
	_, err := Object(context.Background(), Source{Path: "x.bpf.c", Text: []byte(helloTracepoint)})
	if !errors.Is(err, ErrNoClang) {
		t.Fatalf("err = %v, want ErrNoClang", err)
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "apt-get install clang") {
		t.Errorf("error %q: want one line saying how to install clang", err)
	}
}

func TestMissingSourceFile(t *testing.T) {
	_, err := Object(context.Background(), Source{Path: filepath.Join(t.TempDir(), "nope.bpf.c")})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

func TestCacheIsReusedAcrossRuns(t *testing.T) {
	needClang(t)
	root := t.TempDir()
	t.Setenv("EBPF_HELLO_CACHE", root)
	t.Cleanup(forgetPrepared)
	forgetPrepared()

	if _, err := Object(context.Background(), Source{Path: "a.bpf.c", Text: []byte(helloTracepoint)}); err != nil {
		t.Fatal(err)
	}
	pchBuilds.Wait() // the first run leaves the PCH to a background clang
	entries, _ := filepath.Glob(filepath.Join(root, "*", "include", "vmlinux.h"))
	pchs, _ := filepath.Glob(filepath.Join(root, "*", "common.h.pch"))
	if len(entries) != 1 || len(pchs) != 1 {
		t.Fatalf("cache holds vmlinux.h %v, PCH %v: want one of each", entries, pchs)
	}
	before := statOf(t, entries[0], pchs[0])

	forgetPrepared() // a new process
	if _, err := Object(context.Background(), Source{Path: "b.bpf.c", Text: []byte(helloTracepoint)}); err != nil {
		t.Fatal(err)
	}
	if after := statOf(t, entries[0], pchs[0]); after != before {
		t.Errorf("cache files were made again: %v, then %v", before, after)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestRejectedPCHFallsBackToPlainHeaders(t *testing.T) {
	needClang(t)
	root := t.TempDir()
	t.Setenv("EBPF_HELLO_CACHE", root)
	t.Cleanup(forgetPrepared)
	forgetPrepared()
	if _, err := Object(context.Background(), Source{Path: "a.bpf.c", Text: []byte(helloTracepoint)}); err != nil {
		t.Fatal(err)
	}
	pchBuilds.Wait()
	pchs, _ := filepath.Glob(filepath.Join(root, "*", "common.h.pch"))
	if len(pchs) != 1 {
		t.Fatalf("PCH: %v", pchs)
	}
	// What a PCH from another clang looks like to this one: not its format.
	if err := os.WriteFile(pchs[0], []byte("CPCH garbage from another clang"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Object(context.Background(), Source{Path: "b.bpf.c", Text: []byte(helloTracepoint)}); err != nil {
		t.Fatalf("compile with a rejected PCH: %v", err)
	}
	if _, err := os.Stat(pchs[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the rejected PCH is still there (err %v): every run would pay for it", err)
	}
}

// Runs that make the same entry at once each end with a complete one.
func TestConcurrentEntryMaking(t *testing.T) {
	needClang(t)
	root := t.TempDir()
	headers, _ := headerFiles()
	clang, _ := findClang()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tc := &toolchain{clang: clang, arch: targetArch(), cpu: "v3", dir: filepath.Join(root, "entry")}
			_, errs[i] = makeEntry(context.Background(), tc, headers, "")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(root, "entry", "include", "vmlinux.h"))
	if err != nil || !bytes.HasSuffix(b, []byte("#endif /* __VMLINUX_H__ */\n")) {
		t.Errorf("vmlinux.h incomplete (err %v, %d bytes)", err, len(b))
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestPCHFits(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{helloTracepoint, true},
		{"#include <vmlinux.h>\n#define X 1\n", true},
		{"// no vmlinux.h\n#include <linux/bpf.h>\n", false},
		{"#define BPF_NO_GLOBAL_DATA\n#include \"vmlinux.h\"\n", false},
		{"#include \"vmlinux.h\"\n#define BPF_NO_PRESERVE_ACCESS_INDEX\n", false},
		{"#include \"vmlinux.h\"\n#undef __TARGET_ARCH_x86\n#define __TARGET_ARCH_arm64\n", false},
		{"#ifdef X\n#endif\n#include \"vmlinux.h\"\n", false},
		{"#line 3 \"hello.c\"\n#include \"vmlinux.h\"\n#ifdef X\n#endif\n", true},
	} {
		if got := pchFits([]byte(tc.src)); got != tc.want {
			t.Errorf("pchFits(%q) = %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestCPUFor(t *testing.T) {
	for release, want := range map[string]string{"6.18.44-fc": "v3", "5.4.0-150-generic": "v3", "5.1.0": "v3", "4.19.0-27-amd64": "v1", "5.0.21": "v1", "garbage": "v1"} {
		if got := cpuFor(release); got != want {
			t.Errorf("cpuFor(%q) = %q, want %q", release, got, want)
		}
	}
}

func TestCString(t *testing.T) {
	if got, want := cString("a \"b\"\\c\n"), `"a \"b\"\\c\012"`; got != want {
		t.Errorf("cString = %s, want %s", got, want)
	}
}

// bpftool's vmlinux.h and ours give the same programs: same instructions,
// same relocations, same maps.
func TestVmlinuxHCompilesLikeBpftools(t *testing.T) {
	needClang(t)
	bpftool, err := exec.LookPath("bpftool")
	if err != nil {
		t.Skip("bpftool not installed: nothing to compare with")
	}
	clang, _ := findClang()
	dirs := map[string]string{}
	for _, who := range []string{"ours", "bpftool"} {
		dir := filepath.Join(t.TempDir(), who)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		vmlinux := filepath.Join(dir, "vmlinux.h")
		if who == "ours" {
			var f *os.File
			if f, err = os.Create(vmlinux); err == nil {
				err = WriteVmlinuxH("", f)
				f.Close()
			}
		} else {
			var out []byte
			out, err = exec.Command(bpftool, "btf", "dump", "file", KernelBTF, "format", "c").Output()
			if err == nil {
				err = os.WriteFile(vmlinux, out, 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		dirs[who] = dir
	}
	programs, _ := filepath.Glob("../../bpf/*.bpf.c")
	for _, prog := range programs {
		t.Run(filepath.Base(prog), func(t *testing.T) {
			objects := map[string]map[string][]byte{}
			for who, dir := range dirs {
				obj := filepath.Join(dir, filepath.Base(prog)+".o")
				cmd := exec.Command(clang, "-target", "bpf", "-O2", "-g", "-D__TARGET_ARCH_"+targetArch(),
					"-I", dir, "-I", "headers", "-I", "../../bpf", "-c", prog, "-o", obj)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s vmlinux.h: %v\n%s", who, err, out)
				}
				f, err := elf.Open(obj)
				if err != nil {
					t.Fatal(err)
				}
				objects[who] = map[string][]byte{}
				for _, s := range f.Sections {
					if strings.HasPrefix(s.Name, ".debug") || strings.HasPrefix(s.Name, ".rel.debug") || s.Type == elf.SHT_NOBITS {
						continue
					}
					b, _ := s.Data()
					objects[who][s.Name] = b
				}
				f.Close()
			}
			compared := 0
			for name, b := range objects["bpftool"] {
				ours, ok := objects["ours"][name]
				if !ok {
					t.Errorf("section %s missing with our vmlinux.h", name)
					continue
				}
				// BTF holds the types by name; the order of vmlinux.h may
				// number them differently, so compare sizes there and bytes
				// elsewhere.
				if strings.HasPrefix(name, ".BTF") || name == ".strtab" || name == ".symtab" {
					if len(ours) != len(b) {
						t.Errorf("section %s: %d bytes with ours, %d with bpftool's", name, len(ours), len(b))
					}
				} else if !bytes.Equal(ours, b) {
					t.Errorf("section %s differs", name)
				}
				compared++
			}
			if compared < 4 {
				t.Errorf("compared only %d sections", compared)
			}
		})
	}
}

func BenchmarkObjectWarm(b *testing.B) {
	needClang(b)
	src := Source{Path: "hello.bpf.c", Text: []byte(helloTracepoint)}
	if _, err := Object(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	pchBuilds.Wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Object(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkObjectCold(b *testing.B) {
	needClang(b)
	src := Source{Path: "hello.bpf.c", Text: []byte(helloTracepoint)}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		b.Setenv("EBPF_HELLO_CACHE", b.TempDir())
		forgetPrepared()
		b.StartTimer()
		if _, err := Object(context.Background(), src); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		pchBuilds.Wait() // not part of the time to the object
		b.StartTimer()
	}
	forgetPrepared()
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type fileStamp struct {
	ino1, ino2 uint64
	mod1, mod2 time.Time
}

func statOf(t *testing.T, a, b string) fileStamp {
	t.Helper()
	sa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return fileStamp{inode(sa), inode(sb), sa.ModTime(), sb.ModTime()}
}

func itoa(i int) string { return strconv.Itoa(i) }

func inode(fi os.FileInfo) uint64 { return fi.Sys().(*syscall.Stat_t).Ino }

// For comparison with BenchmarkObjectWarm: the same compile including the
// plain headers, as without a PCH.
func BenchmarkObjectWarmPlainHeaders(b *testing.B) {
	needClang(b)
	src := Source{Path: "hello.bpf.c", Text: []byte(helloTracepoint)}
	tc, err := prepare(context.Background(), "", "", false)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := runClang(context.Background(), tc, src, src.Text, false); err != nil {
			b.Fatal(err)
		}
	}
}

// A vmlinux.h next to the program is the one it includes, as C says: with
// or without the PCH the same types.
func TestOwnVmlinuxHNextToTheProgramWins(t *testing.T) {
	needClang(t)
	dir := t.TempDir()
	own := "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\ntypedef unsigned char __u8;\ntypedef unsigned short __u16;\ntypedef unsigned int __u32;\ntypedef int __s32;\ntypedef unsigned long long __u64;\ntypedef long long __s64;\ntypedef __u16 __be16;\ntypedef __u32 __be32;\ntypedef __u32 __wsum;\nstruct only_in_mine { int x; };\n#endif\n"
	if err := os.WriteFile(filepath.Join(dir, "vmlinux.h"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n_Static_assert(sizeof(struct only_in_mine) == sizeof(int), \"the program's own vmlinux.h\");\n" +
		"SEC(\"tracepoint/syscalls/sys_enter_openat\")\nint p(void *ctx) { return 0; }\n"
	var warnings strings.Builder
	_, err := Object(context.Background(), Source{Path: writeTemp2(t, dir, "p.bpf.c", prog), Warnings: &warnings})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warnings.String(), "vmlinux.h, not the running kernel's types") {
		t.Errorf("warnings %q do not say which vmlinux.h was used", warnings.String())
	}
}

func writeTemp2(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Warm, as a new process sees it: the cache on disk, nothing in memory.
func BenchmarkObjectWarmNewProcess(b *testing.B) {
	needClang(b)
	src := Source{Path: "hello.bpf.c", Text: []byte(helloTracepoint)}
	if _, err := Object(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	pchBuilds.Wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		forgetPrepared()
		if _, err := Object(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}

// The PCH only saves time: the object is the same as with the headers
// included as written (debug info aside).
func TestPCHGivesTheSameObject(t *testing.T) {
	needClang(t)
	tc, err := prepare(context.Background(), "", "", false)
	if err != nil {
		t.Fatal(err)
	}
	pchBuilds.Wait()
	if !tc.pchReady() {
		t.Fatal("no PCH was made")
	}
	src := Source{Path: "../../bpf/open.bpf.c"}
	text, err := os.ReadFile(src.Path)
	if err != nil {
		t.Fatal(err)
	}
	objects := [2]map[string][]byte{}
	for i, usePCH := range []bool{true, false} {
		obj, diag, _, err := runClang(context.Background(), tc, src, text, usePCH)
		if err != nil {
			t.Fatalf("PCH %v: %v\n%s", usePCH, err, diag)
		}
		objects[i] = map[string][]byte{}
		for name, s := range sections(t, obj) {
			if strings.Contains(name, ".debug") || s.Type == elf.SHT_NOBITS {
				continue
			}
			objects[i][name], _ = s.Data()
		}
	}
	if len(objects[0]) < 5 {
		t.Fatalf("only sections %v", objects[0])
	}
	for name, b := range objects[1] {
		if !bytes.Equal(objects[0][name], b) {
			t.Errorf("section %s differs with the PCH", name)
		}
	}
}

// Programs written against the kernel's UAPI headers rather than vmlinux.h
// compile where linux-libc-dev is installed.
func TestUAPIProgram(t *testing.T) {
	needClang(t)
	if _, err := os.Stat("/usr/include/linux/bpf.h"); err != nil || multiarchInclude() == "" {
		t.Skip("no UAPI headers (linux-libc-dev) here")
	}
	prog := "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n" +
		"SEC(\"xdp\") int pass(struct xdp_md *ctx) { return XDP_PASS; }\n"
	obj, err := Object(context.Background(), Source{Path: "uapi.bpf.c", Text: []byte(prog)})
	if err != nil {
		t.Fatal(err)
	}
	if sections(t, obj)["xdp"] == nil {
		t.Error("no xdp section")
	}
}
