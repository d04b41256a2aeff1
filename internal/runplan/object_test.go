package runplan

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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
		{`{"Attach": [{"Program": "f", "Kind": "xdp"}]}`, `unknown attach kind "xdp"`},
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

// FuzzFromObject: whatever the bytes, FromObject returns a plan or an
// error, never panics.
func FuzzFromObject(f *testing.F) {
	seed := compileC(f, tinyProgram+oddPlan.ObjectAsm()) // made by clang, not committed
	f.Add(seed)
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
		if err == nil && p != nil {
			if err := p.check(); err != nil {
				t.Errorf("a plan that fails its own check: %v", err)
			}
		}
	})
}
