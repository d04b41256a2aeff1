package runplan

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// A plan whose text needs every kind of escaping on its way through C and
// the assembler.
var oddPlan = Plan{
	Attach: []Attach{{Program: "hello_world", Kind: Kprobe, Target: "do_sys_openat2",
		Fallback: []Attach{{Program: "hello_world__openat", Kind: Tracepoint, Target: "syscalls:sys_enter_openat"}}}},
	Outputs:  []Output{{Kind: Events, Map: "events", Type: "data_t", Print: &Print{Format: "%-18.9f \"%s\"\t%d\\n", Args: []PrintArg{{Field: "ts", Since: true, Scale: 1e9}, {Text: "ü <&> \x01"}}}}},
	Interval: time.Second,
	Header:   []string{`TIME(s)  "COMM"  \PID`},
	Notes:    []string{"line one\nline two", "日本"},
	Globals:  map[string]string{"targ_pid": "42"},
}

// compileC compiles C for BPF with the machine's clang, as run's compiler does.
func compileC(t testing.TB, c string) []byte {
	t.Helper()
	clang, err := exec.LookPath("clang")
	if err != nil {
		testenv.Skip(t, "clang not installed (run make setup)")
	}
	out := filepath.Join(t.TempDir(), "x.o")
	cmd := exec.Command(clang, "-target", "bpf", "-O2", "-g", "-x", "c", "-c", "-", "-o", out)
	cmd.Stdin = strings.NewReader(c)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const tinyProgram = "int hello_world(void *ctx) { return 0; }\n"

func TestPlanTravelsInObject(t *testing.T) {
	obj := compileC(t, tinyProgram+oddPlan.ObjectAsm())
	got, err := FromObject(obj)
	if err != nil || got == nil {
		t.Fatalf("FromObject: %v, %v", got, err)
	}
	if !reflect.DeepEqual(*got, oddPlan) {
		t.Errorf("FromObject = %+v\nwant %+v", *got, oddPlan)
	}
}

func TestFromObjectErrors(t *testing.T) {
	// No section: no plan, no error.
	if p, err := FromObject(compileC(t, tinyProgram)); p != nil || err != nil {
		t.Errorf("an object without the section: %v, %v", p, err)
	}
	if _, err := FromObject([]byte("not an ELF file at all")); err == nil || !strings.Contains(err.Error(), "not a BPF object") {
		t.Errorf("garbage: %v", err)
	}
	for _, c := range []struct{ json, want string }{
		{`{"Attach": [`, "is not a plan"},
		{`{"Attach": [{"Program": "f", "Kind": "kprobe"}]} {}`, "data after the plan"},
		{`{"Attach": [{"Program": "f", "Kind": "cgroup_skb"}]}`, `unknown attach kind "cgroup_skb"`},
		{`{"Attach": [{"Kind": "kprobe", "Target": "x"}]}`, "names no program"},
		{`{"Outputs": [{"Kind": "screen"}]}`, `unknown output kind "screen"`},
		{`{"Bogus": 1}`, `unknown field "Bogus"`},
	} {
		obj := compileC(t, tinyProgram+asmSection(c.json))
		_, err := FromObject(obj)
		if err == nil || !strings.Contains(err.Error(), ObjectSection) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("section %s: error %v, want one line naming %s and %q", c.json, err, ObjectSection, c.want)
		}
	}
}

// asmSection puts raw text into the plan section.
func asmSection(text string) string {
	text = strings.NewReplacer(`"`, `\\\"`).Replace(text)
	return `asm(".pushsection ` + ObjectSection + `,\"\",@progbits\n.ascii \"` + text + `\"\n.popsection");` + "\n"
}

// tinyObject is the smallest ELF object debug/elf reads that carries
// section as the plan section (type typ, flags): an ELF header, a null
// section, the section-name table and the plan. Built here, it seeds
// FuzzFromObject with a few hundred bytes instead of clang's 3.5 KB.
func tinyObject(section []byte, typ elf.SectionType, flags elf.SectionFlag) []byte {
	le := binary.LittleEndian
	names := "\x00.shstrtab\x00" + ObjectSection + "\x00"
	const ehsize, shentsize = 64, 64
	namesOff := ehsize
	planOff := namesOff + len(names)
	shOff := (planOff + len(section) + 7) &^ 7
	b := make([]byte, shOff+3*shentsize)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	le.PutUint16(b[16:], uint16(elf.ET_REL))
	le.PutUint16(b[18:], uint16(elf.EM_BPF))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(b[40:], uint64(shOff)) // e_shoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[58:], shentsize)
	le.PutUint16(b[60:], 3) // e_shnum
	le.PutUint16(b[62:], 1) // e_shstrndx
	copy(b[namesOff:], names)
	copy(b[planOff:], section)
	header := func(k int, name uint32, typ elf.SectionType, flags elf.SectionFlag, off, size int) {
		h := b[shOff+k*shentsize:]
		le.PutUint32(h[0:], name)
		le.PutUint32(h[4:], uint32(typ))
		le.PutUint64(h[8:], uint64(flags))
		le.PutUint64(h[24:], uint64(off))
		le.PutUint64(h[32:], uint64(size))
		le.PutUint64(h[48:], 1) // sh_addralign
	}
	header(1, 1, elf.SHT_STRTAB, 0, namesOff, len(names))
	header(2, uint32(len("\x00.shstrtab\x00")), typ, flags, planOff, len(section))
	return b
}

func planJSON(t testing.TB, p Plan) []byte {
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The hand-built object reads like clang's (TestPlanTravelsInObject).
func TestTinyObject(t *testing.T) {
	got, err := FromObject(tinyObject(planJSON(t, oddPlan), elf.SHT_PROGBITS, 0))
	if err != nil || got == nil || !reflect.DeepEqual(*got, oddPlan) {
		t.Fatalf("FromObject = %+v, %v; want %+v", got, err, oddPlan)
	}
	if _, err := FromObject(tinyObject([]byte("{}"), elf.SHT_NOTE, 0)); err == nil || !strings.Contains(err.Error(), "section type") {
		t.Errorf("a plan section of the wrong type: %v", err)
	}
}

// A plan section claiming more than MaxSection (a compressed one can claim
// any size) is refused before it is read.
func TestFromObjectLargeSection(t *testing.T) {
	big := append([]byte(`{"Notes": ["`), bytes.Repeat([]byte("x"), MaxSection)...)
	big = append(big, `"]}`...)
	_, err := FromObject(tinyObject(big, elf.SHT_PROGBITS, 0))
	if err == nil || !strings.Contains(err.Error(), "1 MiB") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a %d-byte plan: %v", len(big), err)
	}
	// a compressed section whose header claims 1 TiB
	chdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(chdr[0:], uint32(elf.COMPRESS_ZLIB))
	binary.LittleEndian.PutUint64(chdr[8:], 1<<40)
	_, err = FromObject(tinyObject(chdr, elf.SHT_PROGBITS, elf.SHF_COMPRESSED))
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("a compressed plan claiming 1 TiB: %v", err)
	}
}

// Tracepoint names in a plan go into tracefs paths: they must be names,
// whether the plan comes from an object or from a C source's plan line.
func TestPlanTracepointNames(t *testing.T) {
	for _, target := range []string{"../../etc:passwd", "syscalls:sys_enter_openat/../x", "syscalls", "a:b:c", ":x", "x:", "1a:b", "sched:sched_switch\n"} {
		p := Plan{Attach: []Attach{{Program: "f", Kind: Kprobe, Target: "do_sys_openat2",
			Fallback: []Attach{{Program: "g", Kind: Tracepoint, Target: target}}}}}
		_, err := FromObject(tinyObject(planJSON(t, p), elf.SHT_PROGBITS, 0))
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "tracepoint") {
			t.Errorf("object, target %q: %v", target, err)
		}
		_, err = FromSource([]byte(p.SourceLine()))
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "tracepoint") {
			t.Errorf("source, target %q: %v", target, err)
		}
	}
	ok := Plan{Attach: []Attach{{Program: "f", Kind: Tracepoint, Target: "syscalls:sys_enter_openat"}, {Program: "g", Kind: Tracepoint}}}
	if _, err := FromObject(tinyObject(planJSON(t, ok), elf.SHT_PROGBITS, 0)); err != nil {
		t.Errorf("a good plan: %v", err)
	}
}

func TestValidTracepoint(t *testing.T) {
	for _, c := range []struct{ cat, ev, bad string }{
		{"syscalls", "sys_enter_openat", ""},
		{"_x", "Y9", ""},
		{"../../etc", "passwd", `category "../../etc"`},
		{"sched", "..", `event ".."`},
		{"", "x", `category ""`},
		{"x", "", `event ""`},
		{"9p", "x", `category "9p"`},
		{"sched", "a/b", `event "a/b"`},
		{"sch\u00e9d", "x", "category"},
		{"x", "a\nb", `event "a\nb"`},
		{strings.Repeat("a", 100) + "/", "x", `"...`},
	} {
		err := ValidTracepoint(c.cat, c.ev)
		if c.bad == "" {
			if err != nil {
				t.Errorf("%q %q: %v", c.cat, c.ev, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.bad) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q %q: error %v, want one line naming %s", c.cat, c.ev, err, c.bad)
		}
	}
	if err := ValidTracepointTarget("sched:sched_switch"); err != nil {
		t.Error(err)
	}
	if err := ValidTracepointTarget("sched_switch"); err == nil || !strings.Contains(err.Error(), "category:event") {
		t.Errorf("no colon: %v", err)
	}
}

// FuzzFromObject: whatever the bytes, FromObject returns a plan or an
// error, never panics, and a plan it returns passes its own check. The
// seeds are hand-built objects of a few hundred bytes: clang's object
// (3.5 KB) made each execution and each minimization slow, and what
// FromObject reads of it is the same (TestTinyObject). The plan's JSON is
// fuzzed on its own by FuzzPlanSection.
func FuzzFromObject(f *testing.F) {
	seed := tinyObject(planJSON(f, oddPlan), elf.SHT_PROGBITS, 0)
	f.Add(seed)
	f.Add(tinyObject([]byte(`{"Attach":[{"Program":"f","Kind":"tracepoint","Target":"a:b"}]}`), elf.SHT_PROGBITS, 0))
	f.Add(tinyObject([]byte(`{}`), elf.SHT_PROGBITS, elf.SHF_COMPRESSED))
	// The same object with its plan damaged in place (same length).
	if i := bytes.Index(seed, []byte(`"Attach"`)); i > 0 {
		bad := bytes.Clone(seed)
		copy(bad[i:], `{{{{{{{{`)
		f.Add(bad)
	}
	f.Add(seed[:len(seed)/2])
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, obj []byte) {
		p, err := FromObject(obj)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("an error of more than one line: %q", err)
			}
			return
		}
		if p != nil {
			if err := p.check(); err != nil {
				t.Errorf("a plan that fails its own check: %v", err)
			}
		}
	})
}

// FuzzPlanSection fuzzes the plan section's bytes (JSON) alone: a plan
// read is one that passes its check and reads back the same after being
// written again (what ObjectAsm and SourceLine do); an error is one line
// naming the section.
func FuzzPlanSection(f *testing.F) {
	f.Add(planJSON(f, oddPlan))
	f.Add([]byte(`{"Attach":[{"Program":"f","Kind":"tracepoint","Target":"../../etc:passwd"}]}`))
	f.Add([]byte(`{"Attach":[{"Program":"f","Kind":"kprobe","Target":"x","Fallback":[{"Program":"g","Kind":"tp","Target":"a:b"}]}]}`))
	f.Add([]byte(`{"Outputs":[{"Kind":"events","Print":{"Format":"%d","Args":[{"Field":"pid","Scale":1e9}],"Braces":true,"Head":["x"]}}],"Globals":{"a":"1"},"Interval":-1}`))
	f.Add([]byte(`{"Attach": [{"Program": "f", "Kind": "kprobe"}]} {}`))
	f.Add([]byte(`{"Bogus": 1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := fromSection(b)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, ObjectSection) {
				t.Errorf("error %q: want one line naming %s", msg, ObjectSection)
			}
			return
		}
		if err := p.check(); err != nil {
			t.Fatalf("a plan that fails its own check: %v", err)
		}
		again, err := fromSection(planJSON(t, *p))
		if err != nil {
			t.Fatalf("the plan written again does not read: %v", err)
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("the plan written again reads differently:\n%+v\n%+v", *p, *again)
		}
	})
}

func TestValidRawTracepoint(t *testing.T) {
	if err := ValidRawTracepoint("sched_switch"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "../x", "a b", "1x"} {
		if err := ValidRawTracepoint(bad); err == nil || !strings.Contains(err.Error(), "raw tracepoint") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Header tables claimed larger than the object are refused before
// debug/elf allocates them (up to 10 MB per call, which made fuzzing slow).
func TestDamagedHeaderTables(t *testing.T) {
	good := tinyObject(planJSON(t, oddPlan), elf.SHT_PROGBITS, 0)
	le := binary.LittleEndian
	shoff := le.Uint64(good[40:])
	for _, c := range []struct {
		name   string
		damage func(b []byte)
		want   string
	}{
		{"program headers", func(b []byte) { le.PutUint16(b[54:], 56); le.PutUint16(b[56:], 0xffff) }, "65535 program headers do not fit"},
		{"program header offset", func(b []byte) { le.PutUint16(b[54:], 56); le.PutUint16(b[56:], 1); le.PutUint64(b[32:], 1<<62) }, "1 program headers do not fit"},
		{"section headers", func(b []byte) { le.PutUint16(b[60:], 0xfff0) }, "65520 section headers do not fit"},
		{"section header offset", func(b []byte) { le.PutUint64(b[40:], 1<<63) }, "section headers do not fit"},
		{"extended count", func(b []byte) { le.PutUint16(b[60:], 0); le.PutUint64(b[shoff+32:], 1<<40) }, "1099511627776 section headers do not fit"},
	} {
		b := bytes.Clone(good)
		c.damage(b)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := FromObject(b)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "not a BPF object") {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: %d bytes allocated", c.name, n)
		}
	}
}
