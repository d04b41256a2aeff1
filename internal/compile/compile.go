package compile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/timings"
)

// Source is one program to compile.
type Source struct {
	// Path is the C file; clang's messages name it.
	Path string
	// Text, if set, is compiled instead of Path's contents (Path still
	// names it in messages, and its directory is searched for "includes").
	Text []byte
	// Name is how the first line of an error names the program (default:
	// Path, or "program" without one).
	Name string

	Defines     []string  // -D: "NAME" or "NAME=VALUE"
	IncludeDirs []string  // -I, searched after Path's directory
	CPU         string    // -mcpu (default: DefaultCPU where the kernel runs it)
	Warnings    io.Writer // clang's warnings of a successful compile (nil: dropped)

	// BTF is the kernel BTF file vmlinux.h is made from ("": the running
	// kernel's); for tests.
	BTF string

	// Arch is the GOARCH the object is for ("": this machine's): its
	// __TARGET_ARCH_ (the registers PT_REGS_PARMn reads). The types are
	// still this kernel's; CO-RE relocates them where the object loads.
	Arch string

	// Timings, when set, is told when each step ends (run --timings).
	Timings *timings.Log
}

// Error is a program clang refused: one line, then clang's own messages,
// which point at the learner's file and lines (#line directives honoured).
type Error struct {
	Name        string
	Errors      int    // count of clang's "error:" lines
	Diagnostics string // clang's output
}

func (e *Error) Error() string {
	what := "errors"
	if e.Errors == 1 {
		what = "error"
	}
	first := fmt.Sprintf("%s does not compile (%d %s from clang):", e.Name, e.Errors, what)
	if e.Errors == 0 {
		first = fmt.Sprintf("%s does not compile (clang failed):", e.Name)
	}
	return first + "\n" + strings.TrimRight(e.Diagnostics, "\n")
}

// Object compiles src into a BPF ELF object, CO-RE relocatable, with BTF.
func Object(ctx context.Context, src Source) ([]byte, error) {
	name := src.Name
	if name == "" {
		name = src.Path
	}
	if name == "" {
		name = "program"
	}
	text := src.Text
	if text == nil {
		if src.Path == "" {
			return nil, errors.New("compile: no source (neither Path nor Text)")
		}
		// Read once, here, and given to clang on stdin: clang never opens
		// the path itself (a FIFO or /dev/zero there would hang it).
		b, err := safefile.Read(src.Path, "the program", safefile.MaxSource)
		if err != nil {
			return nil, err
		}
		src.Text = b
		text = b
	}
	tc, err := prepare(ctx, src.BTF, src.Arch, false)
	if err != nil {
		return nil, err
	}
	if tc.made {
		src.Timings.Mark("compile cache made for this kernel and clang: vmlinux.h from the kernel's BTF, in " + textsafe.Escape(tc.dir))
	} else {
		src.Timings.Mark("compile cache found: " + textsafe.Escape(tc.dir))
	}
	if tc.note != "" && src.Warnings != nil && !tc.noted.Swap(true) {
		fmt.Fprintf(src.Warnings, "ebpf-hello: %s\n", tc.note)
	}

	usePCH := (src.CPU == "" || src.CPU == tc.cpu) && pchFits(text) && tc.pchReady()
	if own := ownVmlinuxH(src); own != "" {
		// The program's own vmlinux.h comes first in the include path, as C
		// says; the PCH would put the running kernel's in its place.
		usePCH = false
		if src.Warnings != nil {
			fmt.Fprintf(src.Warnings, "%s: using %s, not the running kernel's types\n", name, own)
		}
	}
	key := tc.objectKey(src, text)
	if obj, warnings, ok := tc.cachedObject(key); ok {
		if src.Warnings != nil && warnings != "" {
			io.WriteString(src.Warnings, warnings)
		}
		src.Timings.Mark("object found in the compile cache (compiled before)")
		return obj, nil
	}
	// (Not for another architecture: its registers' types are in common.h.)
	if !usePCH && ownVmlinuxH(src) == "" && !tc.pchReady() && !noMini && !tc.cross {
		// No precompiled header yet (a first run on this kernel): the
		// program's types only, which is most of the time saved (mini.go).
		if obj, deps, ok := miniCompile(ctx, tc, src, text, src.BTF); ok {
			tc.storeObject(key, obj, "", deps)
			src.Timings.Mark("compiled by clang, against the types the program names (no precompiled header yet)")
			return obj, nil
		}
	}
	obj, diag, deps, err := runClang(ctx, tc, src, text, usePCH)
	if err != nil && usePCH && ctx.Err() == nil && mayBePCHsFault(diag, tc) {
		// The precompiled headers came before the program's own lines: a
		// program that configures them differently, or a PCH this clang
		// rejects, compiles as written without it.
		pchDiag := diag
		obj, diag, deps, err = runClang(ctx, tc, src, text, false)
		if err == nil && pchRejected(pchDiag) {
			forgetPCH(tc)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if diag == "" {
			return nil, fmt.Errorf("compile %s: %s: %w", name, tc.clang, err)
		}
		return nil, &Error{Name: name, Errors: countErrors(diag), Diagnostics: diag}
	}
	if src.Warnings != nil && diag != "" {
		io.WriteString(src.Warnings, diag)
	}
	tc.storeObject(key, obj, diag, deps)
	if usePCH {
		src.Timings.Mark("compiled by clang, with the precompiled header")
	} else {
		src.Timings.Mark("compiled by clang, parsing the whole vmlinux.h (no precompiled header yet)")
	}
	return obj, nil
}

// noMini turns the first compile against the program's own types off, for
// a test comparing it with the whole vmlinux.h's.
var noMini bool

// clangRuns counts compiles, for the tests of the object cache.
var clangRuns atomic.Int64

// runClang compiles text; deps are the files it included (a make rule).
func runClang(ctx context.Context, tc *toolchain, src Source, text []byte, usePCH bool) (obj []byte, diag string, deps []byte, err error) {
	return runClangWith(ctx, tc, src, text, usePCH, "")
}

// runClangWith is runClang with an include directory searched before the
// entry's (miniDir: a vmlinux.h of the program's types only), or "".
func runClangWith(ctx context.Context, tc *toolchain, src Source, text []byte, usePCH bool, miniDir string) (obj []byte, diag string, deps []byte, err error) {
	depfile, err := os.CreateTemp("", "ebpf-hello-deps-")
	if err != nil {
		return nil, "", nil, fmt.Errorf("compile: %w", err)
	}
	depfile.Close()
	defer os.Remove(depfile.Name())
	clangRuns.Add(1)
	args := append(tc.baseFlags(), "-MD", "-MF", depfile.Name())
	if src.CPU != "" && src.CPU != tc.cpu {
		args = append(args, "-mcpu="+src.CPU) // the last -mcpu wins
	}
	if miniDir != "" {
		args = append([]string{"-isystem", miniDir}, args...) // before the entry's vmlinux.h
	}
	switch {
	case usePCH:
		args = append(args, "-include-pch", tc.pch)
	case pchFits(text) && ownVmlinuxH(src) == "":
		// What the precompiled header would have brought, so that a
		// program compiles the same before it exists as after.
		args = append(args, "-include", filepath.Join(tc.include(), "common.h"))
	}
	for _, d := range src.Defines {
		args = append(args, "-D"+d)
	}
	if src.Path != "" {
		// The file's own directory first, as clang does for a file it reads.
		args = append(args, "-iquote", filepath.Dir(src.Path))
	}
	for _, d := range src.IncludeDirs {
		args = append(args, "-I", d)
	}
	// From stdin, named as Path (or Name) by a #line before the first line.
	var stdin bytes.Buffer
	if src.Path != "" {
		fmt.Fprintf(&stdin, "#line 1 %s\n", cString(src.Path))
	} else if src.Name != "" {
		fmt.Fprintf(&stdin, "#line 1 %s\n", cString(src.Name))
	}
	stdin.Write(text)
	args = append(args, "-x", "c", "-c", "-", "-o", "-")
	cmd := exec.CommandContext(ctx, tc.clang, args...)
	cmd.Stdin = &stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err = cmd.Run()
	deps, _ = os.ReadFile(depfile.Name())
	return stdout.Bytes(), stderr.String(), deps, err
}

// pchFits tells whether the precompiled common headers can stand in for
// the program's own includes: it includes vmlinux.h, and configures nothing
// (#define, #undef, #if) before it, nor any of libbpf's BPF_NO_* switches
// or __TARGET_ARCH_ anywhere.
func pchFits(text []byte) bool {
	sawVmlinux := false
	for _, line := range strings.Split(string(text), "\n") {
		d := strings.TrimSpace(line)
		if !strings.HasPrefix(d, "#") {
			continue
		}
		d = strings.TrimSpace(strings.TrimPrefix(d, "#"))
		word, rest, _ := strings.Cut(d, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "include":
			if rest == `"vmlinux.h"` || rest == `<vmlinux.h>` {
				sawVmlinux = true
			}
		case "define", "undef":
			if strings.HasPrefix(rest, "BPF_NO_") || strings.HasPrefix(rest, "__TARGET_ARCH_") || !sawVmlinux {
				return false
			}
		case "if", "ifdef", "ifndef":
			if !sawVmlinux {
				return false
			}
		}
	}
	return sawVmlinux
}

// ownVmlinuxH returns a vmlinux.h found before the generated one: next to
// the program or in its include directories.
func ownVmlinuxH(src Source) string {
	var dirs []string
	if src.Path != "" {
		dirs = append(dirs, filepath.Dir(src.Path))
	}
	for _, d := range append(dirs, src.IncludeDirs...) {
		p := filepath.Join(d, "vmlinux.h")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// mayBePCHsFault: diagnostics that involve the cached headers or the PCH
// itself; other errors are the program's own and the same without a PCH.
func mayBePCHsFault(diag string, tc *toolchain) bool {
	return strings.Contains(diag, tc.dir) || pchRejected(diag)
}

func pchRejected(diag string) bool {
	return strings.Contains(diag, "precompiled header") || strings.Contains(diag, "PCH file") ||
		strings.Contains(diag, "AST file")
}

var errorLine = regexp.MustCompile(`(?m)(^|: )(fatal )?error: `)

func countErrors(diag string) int {
	return len(errorLine.FindAllStringIndex(diag, -1))
}

// cString quotes a path for a #line directive.
func cString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range []byte(s) {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString("\\" + strconv.FormatInt(int64(r)|0o1000, 8)[1:])
		default:
			b.WriteByte(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
