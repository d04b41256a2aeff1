package compile

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"sync"

	"github.com/ebpf-hello/ebpf-hello/internal/safefile"
)

// A first compile on a kernel, before the precompiled header exists,
// spent most of its time parsing the whole vmlinux.h (3 MB of C) for the
// handful of types a program uses. So it first compiles against a
// vmlinux.h of only the types the program names (miniNames), from the same
// BTF; when clang misses one (a type reached through BPF_CORE_READ's
// pointer chain, say), the names in its errors are added and it tries again
// (maxMiniRounds), and in the end, or on any warning, the program is
// compiled as always, so the learner only ever sees the messages of a
// compile against the whole vmlinux.h.

// maxMiniRounds bounds the retries with the names clang said were missing.
const maxMiniRounds = 3

var (
	comments    = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	recordName  = regexp.MustCompile(`\b(?:struct|union)\s+([A-Za-z_]\w*)`)
	structName  = regexp.MustCompile(`\bstruct\s+([A-Za-z_]\w*)`)
	identifier  = regexp.MustCompile(`\b[A-Za-z_]\w*\b`)
	localHeader = regexp.MustCompile(`(?m)^\s*#\s*include\s*"([^"]+)"`)
	// clang's words for what the program's types lacked
	missingRecord = regexp.MustCompile(`'(?:struct|union) ([A-Za-z_]\w*)'`)
	missingName   = regexp.MustCompile(`(?:unknown type name|undeclared identifier|'enum) '?([A-Za-z_]\w*)'`)
)

// miniNames lists the struct/union names and the other identifiers of a
// program's text and the local headers it includes ("x.h", looked for in
// dirs), comments left out.
func miniNames(text []byte, dirs []string) (records, names []string) {
	seenR, seenN := map[string]bool{}, map[string]bool{}
	read := map[string]bool{} // headers scanned: each once, however often included
	var scan func(b []byte, depth int)
	scan = func(b []byte, depth int) {
		b = comments.ReplaceAll(b, nil)
		for _, m := range recordName.FindAllSubmatch(b, -1) {
			seenR[string(m[1])] = true
		}
		for _, m := range identifier.FindAll(b, -1) {
			seenN[string(m)] = true
		}
		if depth >= 3 {
			return
		}
		for _, m := range localHeader.FindAllSubmatch(b, -1) {
			name := string(m[1])
			if name == "vmlinux.h" {
				continue
			}
			for _, d := range dirs {
				path := filepath.Join(d, name)
				if read[path] {
					break
				}
				if h, err := safefile.Read(path, "a header", safefile.MaxHeader); err == nil {
					read[path] = true
					scan(h, depth+1)
					break
				}
			}
		}
	}
	scan(text, 0)
	for r := range seenR {
		records = append(records, r)
	}
	for n := range seenN {
		if !seenR[n] {
			names = append(names, n)
		}
	}
	sort.Strings(records)
	sort.Strings(names)
	return records, names
}

// headerNames are what libbpf's headers need of vmlinux.h: the structs
// their helper prototypes point to (declared only) and their other
// identifiers (typedefs such as __u64, enum constants).
var headerNames = sync.OnceValues(func() (forward, names []string) {
	files, err := headerFiles()
	if err != nil {
		return nil, nil
	}
	seenF, seenN := map[string]bool{"pt_regs": false}, map[string]bool{}
	for _, b := range files {
		b = comments.ReplaceAll(b, nil)
		for _, m := range structName.FindAllSubmatch(b, -1) {
			seenF[string(m[1])] = true
		}
		for _, m := range identifier.FindAll(b, -1) {
			seenN[string(m)] = true
		}
	}
	for f := range seenF {
		forward = append(forward, f)
	}
	for n := range seenN {
		if !seenF[n] {
			names = append(names, n)
		}
	}
	sort.Strings(forward)
	sort.Strings(names)
	return forward, names
})

// miniCompile compiles text against a vmlinux.h of the types it names,
// made in a temporary directory of the cache entry. ok is false when that
// did not give a clean object: then the caller compiles as always.
func miniCompile(ctx context.Context, tc *toolchain, src Source, text []byte, btfPath string) (obj []byte, deps []byte, ok bool) {
	entry, err := openDir(tc.dir)
	if err != nil {
		return nil, nil, false
	}
	defer entry.Close()
	name, tmp, err := entry.mkdirTemp(".mini-")
	if err != nil {
		return nil, nil, false
	}
	defer tmp.Close()
	defer os.RemoveAll(filepath.Join(tc.dir, name))

	dirs := append([]string{}, src.IncludeDirs...)
	if src.Path != "" {
		dirs = append([]string{filepath.Dir(src.Path)}, dirs...)
	}
	records, names := miniNames(text, dirs)
	forward, libNames := headerNames()
	names = append(names, libNames...)
	for round := 0; round <= maxMiniRounds; round++ {
		f, err := tmp.create("vmlinux.h")
		if err != nil {
			return nil, nil, false
		}
		err = WriteMiniVmlinuxH(btfPath, f, records, names, forward)
		f.Close()
		if err != nil {
			return nil, nil, false
		}
		obj, diag, deps, err := runClangWith(ctx, tc, src, text, false, tmp.path)
		switch {
		case err == nil && diag == "":
			return obj, deps, true
		case err == nil || ctx.Err() != nil:
			return nil, nil, false // a warning: the whole vmlinux.h's compile says it
		}
		more := false
		for _, m := range missingRecord.FindAllStringSubmatch(diag, -1) {
			if !slices.Contains(records, m[1]) {
				records, more = append(records, m[1]), true
			}
		}
		for _, m := range missingName.FindAllStringSubmatch(diag, -1) {
			if !slices.Contains(names, m[1]) {
				names, more = append(names, m[1]), true
			}
		}
		if !more {
			return nil, nil, false // the program's own error: said by the usual compile
		}
		_ = os.Remove(filepath.Join(tmp.path, "vmlinux.h"))
	}
	return nil, nil, false
}
