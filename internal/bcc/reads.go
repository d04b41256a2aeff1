package bcc

import (
	"strings"
)

// implicitReads makes explicit the memory reads BCC inserts silently:
//   - p->a.b through a pointer to a kernel struct (a typed argument or a
//     local "struct task_struct *t = ...") becomes BPF_CORE_READ(p, a.b);
//   - args->argv[i] through a user array of pointers (a tracepoint field
//     or a __user argument) becomes a bpf_probe_read_user of the element;
//   - bpf_probe_read of a __user argument becomes bpf_probe_read_user.
func (t *translator) implicitReads() {
	for _, f := range t.funcs {
		kernel := map[string]bool{}
		userArrays := map[string]map[string]bool{} // var -> fields ("" = the var itself)
		user := map[string]bool{}
		for k, p := range f.params {
			if k == 0 && f.macro == "" && (strings.Contains(p.typ, "pt_regs") || p.typ == "void *") {
				continue
			}
			switch {
			case p.user && strings.Count(p.typ, "*") >= 2:
				userArrays[p.name] = map[string]bool{"": true}
				user[p.name] = true
			case p.user:
				user[p.name] = true
			case t.kernelStruct(p.typ):
				kernel[p.name] = true
			case strings.HasPrefix(p.typ, "struct tracepoint__"):
				userArrays[p.name] = pointerArrays(t.tpFields[strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(p.typ, "struct "), "*"))])
			}
		}
		if f.macro == "TRACEPOINT_PROBE" {
			userArrays["args"] = pointerArrays(t.tpFields[f.name])
		}
		// locals: "struct T *name" with T a kernel struct
		for i := f.bodyOpen + 1; i < f.bodyClose; i++ {
			if t.tok(i) == "struct" && t.isIdent(i+1) && t.tok(i+2) == "*" && t.isIdent(i+3) &&
				t.kernelStruct("struct "+t.tok(i+1)+" *") {
				kernel[t.tok(i+3)] = true
			}
		}
		for i := f.bodyOpen + 1; i < f.bodyClose; i++ {
			name := t.tok(i)
			if t.tok(i-1) == "." || t.tok(i-1) == "->" {
				continue
			}
			switch {
			case kernel[name] && t.tok(i+1) == "->":
				if end, ok := t.coreRead(i, f.bodyClose); ok {
					i = end
				}
			case userArrays[name] != nil:
				t.userElement(i, userArrays[name])
			case strings.HasPrefix(name, "bpf_probe_read") && t.tok(i+1) == "(":
				t.probeReadVariant(i, user, kernel)
			}
		}
	}
}

// kernelStruct tells whether a parameter or local type is a pointer to a
// kernel struct (not one of the program's own structs, not pt_regs).
func (t *translator) kernelStruct(typ string) bool {
	typ = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(typ), "const "))
	if !strings.HasPrefix(typ, "struct ") || strings.Count(typ, "*") != 1 || !strings.HasSuffix(typ, "*") {
		return false
	}
	tag := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(typ, "struct "), "*"))
	if tag == "pt_regs" || strings.HasPrefix(tag, "tracepoint__") || tag == "bpf_raw_tracepoint_args" || t.structs[tag] {
		return false
	}
	kn := t.opts.KernelNames
	return len(kn.Tags) == 0 || kn.Tags[tag]
}

// coreRead rewrites the member chain starting at the kernel pointer at i.
func (t *translator) coreRead(i, limit int) (int, bool) {
	j := i
	var arrows []int
	for j+2 < limit {
		switch {
		case (t.tok(j+1) == "->" || t.tok(j+1) == ".") && t.isIdent(j+2):
			if t.tok(j+1) == "->" {
				arrows = append(arrows, j+1)
			}
			j += 2
		case t.tok(j+1) == "[" && t.match(j+1) > 0 && t.match(j+1) < limit:
			j = t.match(j + 1)
		default:
			goto done
		}
	}
done:
	if len(arrows) == 0 || t.notARead(i, j) {
		return j, false
	}
	t.insertBefore(i, "BPF_CORE_READ(")
	for _, a := range arrows {
		t.replace(a, a, ", ")
	}
	t.insertAfter(j, ")")
	return j, true
}

// notARead: &p->x (an address), p->x = v (a write), sizeof(p->x), p->f(),
// and the source of an explicit bpf_probe_read*/bpf_core_read* are left.
func (t *translator) notARead(i, j int) bool {
	switch t.tok(i - 1) {
	case "&", "++", "--":
		return true
	}
	switch t.tok(j + 1) {
	case "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "++", "--", "(":
		return true
	}
	depth := 0
	for k := i - 1; k >= 0 && k > i-200; k-- {
		switch t.tok(k) {
		case ")", "]":
			depth++
		case "[":
			depth--
		case "(":
			if depth > 0 {
				depth--
				continue
			}
			fn := t.tok(k - 1)
			if fn == "sizeof" || fn == "typeof" || fn == "__typeof__" || fn == "offsetof" ||
				strings.HasPrefix(fn, "bpf_probe_read") || strings.HasPrefix(fn, "bpf_core_") ||
				strings.HasPrefix(fn, "BPF_CORE_READ") {
				return true
			}
		case "{", "}", ";":
			return false
		}
	}
	return false
}

// userElement rewrites v[i] or v->field[i] where the element is a user
// pointer read from a user array.
func (t *translator) userElement(i int, fields map[string]bool) {
	j := i
	if fields[""] && t.tok(i+1) == "[" {
		j = i
	} else if (t.tok(i+1) == "->" || t.tok(i+1) == ".") && fields[t.tok(i+2)] && t.tok(i+3) == "[" {
		j = i + 2
	} else {
		return
	}
	close := t.match(j + 1)
	if close < 0 || t.tok(i-1) == "&" {
		return
	}
	switch t.tok(close + 1) {
	case "=", "+=", "-=", "++", "--":
		return
	}
	elem := t.squash(i, j) + "[0]"
	t.insertBefore(i, "({ unsigned long ____elem = 0; bpf_probe_read_user(&____elem, sizeof(____elem), &")
	t.insertAfter(close, "); (__typeof__("+elem+"))____elem; })")
}

// probeReadVariant picks bpf_probe_read_user/_kernel for BCC's generic
// bpf_probe_read(dst, size, src) when src is a __user argument or a kernel
// pointer (the generic helper does not exist on every architecture).
func (t *translator) probeReadVariant(i int, user, kernel map[string]bool) {
	name := t.tok(i)
	if name != "bpf_probe_read" && name != "bpf_probe_read_str" {
		return
	}
	close := t.match(i + 1)
	args := t.args(i+1, close)
	if close < 0 || len(args) != 3 {
		return
	}
	src := args[2]
	k := src[0]
	if t.tok(k) == "(" && t.match(k) < src[1] { // a cast: (void *)filename
		k = t.match(k) + 1
	}
	if k != src[1] {
		return
	}
	variant := ""
	switch {
	case user[t.tok(k)]:
		variant = "_user"
	case kernel[t.tok(k)]:
		variant = "_kernel"
	default:
		return
	}
	if name == "bpf_probe_read_str" {
		t.replace(i, i, "bpf_probe_read"+variant+"_str")
	} else {
		t.replace(i, i, "bpf_probe_read"+variant)
	}
}
