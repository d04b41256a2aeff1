package compile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

// ErrNoClang says how to get the one tool run needs.
var ErrNoClang = errors.New("clang not found: compiling BPF C needs it (Debian/Ubuntu: sudo apt-get install clang; Fedora: sudo dnf install clang)")

// minClangMajor is the first clang with the CO-RE relocations libbpf needs
// (preserve_access_index).
const minClangMajor = 10

// findClang returns the clang to use: $CLANG if set, else clang on PATH,
// else the newest versioned clang-NN (Debian installs those alone too).
func findClang() (string, error) {
	if c := os.Getenv("CLANG"); c != "" {
		p, err := exec.LookPath(c)
		if err != nil {
			return "", fmt.Errorf("$CLANG=%q: %w", c, ErrNoClang)
		}
		return p, nil
	}
	if p, err := exec.LookPath("clang"); err == nil {
		return p, nil
	}
	for v := 25; v >= minClangMajor; v-- {
		if p, err := exec.LookPath("clang-" + strconv.Itoa(v)); err == nil {
			return p, nil
		}
	}
	return "", ErrNoClang
}

var clangVersionRE = regexp.MustCompile(`clang version (\d+)\.(\d+)\.(\d+)`)

// ClangVersion returns the path and version ("14.0.6") of the clang that
// Object uses, for doctor.
func ClangVersion(ctx context.Context) (path, version string, err error) {
	path, err = findClang()
	if err != nil {
		return "", "", err
	}
	version, _, err = clangVersion(ctx, path)
	return path, version, err
}

func clangVersion(ctx context.Context, clang string) (version string, major int, err error) {
	out, err := exec.CommandContext(ctx, clang, "--version").Output()
	if err != nil {
		return "", 0, fmt.Errorf("%s --version: %w", clang, err)
	}
	m := clangVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		first, _, _ := strings.Cut(string(out), "\n")
		return "", 0, fmt.Errorf("%s --version: no version in %q", clang, first)
	}
	major, _ = strconv.Atoi(m[1])
	return m[1] + "." + m[2] + "." + m[3], major, nil
}

// targetArch is the __TARGET_ARCH_ suffix bpf_tracing.h expects for this
// machine, which picks the registers PT_REGS_PARMn reads.
func targetArch() string { return targetArchOf(runtime.GOARCH) }

// targetArchOf is the __TARGET_ARCH_ suffix for a GOARCH.
func targetArchOf(goarch string) string {
	switch goarch {
	case "amd64", "386":
		return "x86"
	case "arm64":
		return "arm64"
	case "arm":
		return "arm"
	case "riscv64":
		return "riscv"
	case "ppc64le", "ppc64":
		return "powerpc"
	case "s390x":
		return "s390"
	case "loong64":
		return "loongarch"
	case "mips64", "mips64le", "mips", "mipsle":
		return "mips"
	}
	return goarch
}

// multiarchInclude is the host's /usr/include/<triple>, where Debian and
// Ubuntu keep asm/types.h: with it, programs written against the kernel's
// UAPI headers (<linux/bpf.h>, from linux-libc-dev) compile too, as in
// libbpf-bootstrap's Makefile. "" when there is none.
func multiarchInclude() string { return multiarchIncludeOf(runtime.GOARCH) }

// multiarchIncludeOf is multiarchInclude for a GOARCH: an arm64 one is
// there when Debian's arm64 linux-libc-dev is installed (multiarch).
func multiarchIncludeOf(goarch string) string {
	triple := map[string]string{
		"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "riscv64": "riscv64-linux-gnu",
		"ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu", "loong64": "loongarch64-linux-gnu",
		"386": "i386-linux-gnu", "arm": "arm-linux-gnueabihf",
	}[goarch]
	dir := filepath.Join("/usr/include", triple)
	if _, err := os.Stat(filepath.Join(dir, "asm")); triple == "" || err != nil {
		return ""
	}
	return dir
}

// DefaultCPU is the -mcpu of programs compiled for a kernel that runs it,
// and OtherCPU the one to try when the verifier rejects DefaultCPU's code
// (clang's code for bounds checks differs between the two).
const DefaultCPU, OtherCPU = "v3", "v2"

// cpuFor picks clang's -mcpu: v3 (32-bit jumps and ALU, smaller and faster
// code) needs kernel 5.1, and every kernel with BTF in /sys (5.4+) has it;
// older ones get clang's generic v1.
func cpuFor(release string) string {
	major, minor := kernelVersion(release)
	if major > 5 || (major == 5 && minor >= 1) {
		return DefaultCPU
	}
	return "v1"
}

func kernelVersion(release string) (major, minor int) {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return 0, 0
	}
	major, _ = strconv.Atoi(parts[0])
	end := strings.IndexFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(parts[1])
	}
	minor, _ = strconv.Atoi(parts[1][:end])
	return major, minor
}

// clangIdentity changes when clang is upgraded: the resolved binary's path,
// size and modification time (running clang --version costs 20 ms).
func clangIdentity(clang string) string {
	real, err := filepath.EvalSymlinks(clang)
	if err != nil {
		real = clang
	}
	st, err := os.Stat(real)
	if err != nil {
		return real
	}
	return fmt.Sprintf("%s:%d:%d", real, st.Size(), st.ModTime().UnixNano())
}
