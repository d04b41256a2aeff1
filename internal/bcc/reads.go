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
		userFields := map[string]map[string]bool{} // var -> its fields holding user pointers
		if f.macro == "TRACEPOINT_PROBE" {
			userArrays["args"] = pointerArrays(t.tpFields[f.name])
			if f.tpCat == "syscalls" { // a syscall's pointer arguments point into the caller's memory
				userFields["args"] = userPointers(t.tpFields[f.name])
			}
		}
		// locals: "struct T *name" with T a kernel struct, and the names
		// declared after it ("struct T *a = ..., *b;")
		for i := f.bodyOpen + 1; i < f.bodyClose; i++ {
			if t.tok(i) == "struct" && t.isIdent(i+1) && t.tok(i+2) == "*" && t.isIdent(i+3) &&
				t.kernelStruct("struct "+t.tok(i+1)+" *") {
				kernel[t.tok(i+3)] = true
				for _, name := range t.moreDeclarators(i+4, f.bodyClose) {
					kernel[name] = true
				}
			}
		}
		t.aliases(f, kernel, user, userArrays, userFields)
		own := t.ownStructVars(f) // var -> its struct, for "struct val_t *valp"
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
			case own[name] != nil && (t.tok(i+1) == "->" || t.tok(i+1) == ".") && own[name][t.tok(i+2)] && t.tok(i+3) == "->":
				// valp->fp->f_path.dentry: fp holds a kernel pointer
				keep := 0
				if t.tok(i+1) == "->" {
					keep = 1
				}
				if end, ok := t.coreReadAfter(i, f.bodyClose, keep); ok {
					i = end
				}
			case userArrays[name] != nil:
				t.userElement(i, userArrays[name])
			case strings.HasPrefix(name, "bpf_probe_read") && t.tok(i+1) == "(":
				t.probeReadVariant(i, user, kernel, userFields)
			}
		}
	}
}

// kernelFields are, for each of the program's own structs, its fields that
// hold a pointer to a kernel struct (struct val_t { struct file *fp; }).
func (t *translator) kernelFields() map[string]map[string]bool {
	if t.ownFields != nil {
		return t.ownFields
	}
	t.ownFields = map[string]map[string]bool{}
	for i := 0; i+2 < len(t.toks); i++ {
		if t.tok(i) != "struct" || !t.isIdent(i+1) || t.tok(i+2) != "{" || t.pair[i+2] < 0 {
			continue
		}
		name, end := t.tok(i+1), t.pair[i+2]
		start := i + 3
		for k := start; k < end; k++ {
			if t.tok(k) == "{" && t.pair[k] > 0 {
				k = t.pair[k] // a nested struct or union: its fields are not followed
				continue
			}
			if t.tok(k) != ";" {
				continue
			}
			// "[const] struct T *field;"
			d := start
			if t.tok(d) == "const" {
				d++
			}
			if k-d == 4 && t.tok(d) == "struct" && t.isIdent(d+1) && t.tok(d+2) == "*" && t.isIdent(d+3) &&
				t.kernelStruct("struct "+t.tok(d+1)+" *") {
				if t.ownFields[name] == nil {
					t.ownFields[name] = map[string]bool{}
				}
				t.ownFields[name][t.tok(d+3)] = true
			}
			start = k + 1
		}
		i = end
	}
	return t.ownFields
}

// ownStructVars are f's variables and parameters declared as one of the
// program's own structs (or a pointer to one) that has kernel pointer
// fields: var -> those fields.
func (t *translator) ownStructVars(f *function) map[string]map[string]bool {
	fields := t.kernelFields()
	out := map[string]map[string]bool{}
	if len(fields) == 0 {
		return out
	}
	for i := f.bodyOpen + 1; i+2 < f.bodyClose; i++ {
		if t.tok(i) != "struct" || fields[t.tok(i+1)] == nil {
			continue
		}
		j := i + 2
		if t.tok(j) == "*" {
			j++
		}
		if t.isIdent(j) {
			out[t.tok(j)] = fields[t.tok(i+1)]
		}
	}
	return out
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
func (t *translator) coreRead(i, limit int) (int, bool) { return t.coreReadAfter(i, limit, 0) }

// coreReadAfter rewrites the member chain starting at i, whose first keep
// arrows are the program's own memory (valp->fp->f_path: valp points into
// a map value, its field fp at a kernel struct): only what follows is read.
func (t *translator) coreReadAfter(i, limit, keep int) (int, bool) {
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
	if len(arrows) <= keep {
		return j, false
	}
	arrows = arrows[keep:]
	if t.notARead(i, j) {
		// an address: &p->a->b, or a probe read's source p->a->comm. Its
		// last arrow only adds an offset, but the ones before it load
		// pointers from kernel memory: those are read, as BCC does
		if len(arrows) >= 2 && t.addressOnly(i, j) {
			last := arrows[len(arrows)-1]
			t.insertBefore(i, "BPF_CORE_READ(")
			for _, a := range arrows[:len(arrows)-1] {
				t.replace(a, a, ", ")
			}
			t.insertBefore(last, ")")
			return j, true
		}
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
	fn := t.enclosingCall(i)
	return fn == "sizeof" || fn == "typeof" || fn == "__typeof__" || fn == "offsetof" ||
		strings.HasPrefix(fn, "bpf_probe_read") || strings.HasPrefix(fn, "bpf_core_") ||
		strings.HasPrefix(fn, "BPF_CORE_READ")
}

// addressOnly: p->... at i..j is an address: after &, or the source
// argument of an explicit bpf_probe_read* or bpf_core_read* (not sizeof,
// typeof, offsetof or BPF_CORE_READ's own field list).
func (t *translator) addressOnly(i, j int) bool {
	if t.tok(i-1) == "&" {
		return true
	}
	if next := t.tok(j + 1); next != "," && next != ")" {
		return false
	}
	fn := t.enclosingCall(i)
	return strings.HasPrefix(fn, "bpf_probe_read") || strings.HasPrefix(fn, "bpf_core_read")
}

// enclosingCall names what the innermost parenthesis still open before
// token i follows (a function, sizeof), within its statement; "" if none.
func (t *translator) enclosingCall(i int) string {
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
			return t.tok(k - 1)
		case "{", "}", ";":
			return ""
		}
	}
	return ""
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
func (t *translator) probeReadVariant(i int, user, kernel map[string]bool, userFields map[string]map[string]bool) {
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
	field := k+2 == src[1] && t.tok(k+1) == "->" && userFields[t.tok(k)][t.tok(k+2)] // args->filename
	if k != src[1] && !field {
		return
	}
	variant := ""
	switch {
	case field, user[t.tok(k)]:
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

// moreDeclarators are the pointer names declared after the first one in
// the declaration going on at from: "..., *b, *c = x;" gives b and c.
func (t *translator) moreDeclarators(from, limit int) []string {
	var names []string
	for j := from; j < limit; j++ {
		switch t.tok(j) {
		case ";", "{", "}":
			return names
		case "(", "[":
			if m := t.match(j); m > j && m < limit {
				j = m
			}
		case ",":
			if t.tok(j+1) == "*" && t.isIdent(j+2) {
				names = append(names, t.tok(j+2))
			}
		}
	}
	return names
}

// aliases finds the locals that hold what a tracked name holds
// ("const char **argv = (const char **)args->argv;", "p = file;"): each
// gets the reads its source gets. A local is an alias only when every
// value given to it (but 0 and NULL) comes from the same kind of source.
func (t *translator) aliases(f *function, kernel, user map[string]bool, userArrays, userFields map[string]map[string]bool) {
	type source struct {
		kind   string          // "kernel", "user", "array" (a user array), "fields" (a tracepoint record)
		fields map[string]bool // of "array" and "fields"
	}
	classify := func(from, to int) (source, bool) {
		for from < to && t.tok(from) == "(" { // casts and parentheses
			m := t.match(from)
			switch {
			case m == to:
				from, to = from+1, to-1
			case m > from && m < to:
				from = m + 1
			default:
				return source{}, false
			}
		}
		switch {
		case from == to && t.isIdent(from):
			name := t.tok(from)
			switch {
			case userArrays[name] != nil:
				if userArrays[name][""] {
					return source{kind: "array", fields: map[string]bool{"": true}}, true
				}
				return source{kind: "fields", fields: userArrays[name]}, true
			case user[name]:
				return source{kind: "user"}, true
			case kernel[name]:
				return source{kind: "kernel"}, true
			}
		case from+2 == to && t.isIdent(from) && (t.tok(from+1) == "->" || t.tok(from+1) == ".") && t.isIdent(to):
			v, field := t.tok(from), t.tok(to)
			switch {
			case userArrays[v][field]:
				return source{kind: "array", fields: map[string]bool{"": true}}, true
			case userFields[v][field]:
				return source{kind: "user"}, true
			}
		}
		return source{}, false
	}
	null := func(from, to int) bool {
		return from == to && (t.tok(from) == "0" || t.tok(from) == "NULL")
	}
	// each pass may find aliases of the aliases found before
	for pass := 0; pass < 8; pass++ {
		found := map[string]source{}
		refused := map[string]bool{}
		for i := f.bodyOpen + 1; i < f.bodyClose; i++ {
			if !t.isIdent(i) || t.tok(i+1) != "=" || t.tok(i-1) == "." || t.tok(i-1) == "->" {
				continue
			}
			name := t.tok(i)
			end := i + 2
			for ; end < f.bodyClose; end++ {
				if tk := t.tok(end); tk == ";" || tk == "," || tk == "}" {
					break
				}
				if m := t.match(end); m > end && m < f.bodyClose && t.tok(end) != "{" {
					end = m
				}
			}
			if null(i+2, end-1) {
				continue
			}
			src, ok := classify(i+2, end-1)
			if !ok || (found[name].kind != "" && found[name].kind != src.kind) {
				refused[name] = true
				continue
			}
			found[name] = src
		}
		changed := false
		for name, src := range found {
			if refused[name] {
				continue
			}
			switch src.kind {
			case "kernel":
				changed = changed || !kernel[name]
				kernel[name] = true
			case "user":
				changed = changed || !user[name]
				user[name] = true
			case "array", "fields":
				changed = changed || userArrays[name] == nil
				userArrays[name] = src.fields
				if src.kind == "array" {
					user[name] = true
				}
			}
		}
		if !changed {
			return
		}
	}
}

// userPointers are the names of a syscall tracepoint's pointer fields:
// pointers into the calling process's memory.
func userPointers(fields []tpField) map[string]bool {
	out := map[string]bool{}
	for _, f := range fields {
		if strings.Count(f.decl, "*") == 1 && !strings.Contains(f.decl, "[") {
			out[f.name] = true
		}
	}
	return out
}
