package purity

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

const module = "github.com/ebpf-hello/ebpf-hello"

// loadsBPF are the packages allowed to need cgo (libbpf) or the compiled
// BPF objects. Every package is in this list or in pure.txt.
var loadsBPF = []string{
	"./bpf",               // embeds the objects make compiles
	"./cmd/ebpf-hello",    // the binary
	"./examples",          // builds and runs the examples
	"./internal/bccrun",   // compiles BCC programs for run's tests
	"./internal/bpfcheck", // doctor's questions to the kernel
	"./internal/builtins", // the specs, with the embedded objects
	"./internal/compile",  // libbpf's BTF dump API
	"./internal/execs",    // exec's run loop
	"./internal/frontend", // run's reading and compiling (internal/compile)
	"./internal/opens",    // open's run loop
	"./internal/printk",   // printk's run loop
	"./internal/probe",    // the loader: libbpfgo
	"./internal/runner",   // run's loop
}

// forbidden are what a pure package may not depend on.
var forbidden = map[string]bool{
	module + "/bpf":                    true,
	module + "/internal/probe":         true,
	module + "/internal/compile":       true,
	"github.com/aquasecurity/libbpfgo": true,
	"C":                                true,
}

func purePackages(t *testing.T) []string {
	data, err := os.ReadFile("pure.txt")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			pkgs = append(pkgs, line)
		}
	}
	return pkgs
}

// goList runs go list in the module root with cgo off.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		testenv.Skip(t, "go not in PATH")
	}
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %v: %s", args, msg)
	}
	return strings.Fields(string(out))
}

// TestPurePackagesNeedNoCgo: no pure package imports the loader, the
// compiler, the embedded objects or cgo, even indirectly.
func TestPurePackagesNeedNoCgo(t *testing.T) {
	for _, pkg := range purePackages(t) {
		for _, dep := range goList(t, "-deps", "-test", "-f", "{{.ImportPath}}", pkg) {
			if forbidden[dep] {
				t.Errorf("%s depends on %s: it would need cgo or make", pkg, dep)
			}
		}
	}
}

// TestEveryPackageIsClassified: a new package goes in pure.txt or loadsBPF.
func TestEveryPackageIsClassified(t *testing.T) {
	known := map[string]bool{}
	for _, p := range append(purePackages(t), loadsBPF...) {
		known[module+strings.TrimPrefix(p, ".")] = true
	}
	for _, pkg := range goList(t, "-e", "./...") {
		if !known[pkg] {
			t.Errorf("%s is in neither pure.txt nor loadsBPF (internal/purity)", pkg)
		}
	}
}
