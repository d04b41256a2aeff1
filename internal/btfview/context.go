package btfview

import "github.com/cilium/ebpf/btf"

// ContextStruct names the struct a program's first argument points at
// (`int prog(struct trace_event_raw_sys_enter *ctx)`): what it reads its
// tracepoint record as. "" when it takes no such pointer.
func (o *Object) ContextStruct(program string) string {
	var fn *btf.Func
	if err := o.spec.TypeByName(program, &fn); err != nil {
		return ""
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok || len(proto.Params) == 0 {
		return ""
	}
	ptr, ok := btf.UnderlyingType(proto.Params[0].Type).(*btf.Pointer)
	if !ok {
		return ""
	}
	if st, ok := btf.UnderlyingType(ptr.Target).(*btf.Struct); ok {
		return st.Name
	}
	return ""
}

// DataOffset is where a tracepoint record struct's own fields start: its
// first member after `ent` (the common struct trace_entry).
func DataOffset(st *btf.Struct) (int, bool) {
	for i, m := range st.Members {
		if m.Name == "ent" && i+1 < len(st.Members) {
			return int(st.Members[i+1].Offset / 8), true
		}
	}
	return 0, false
}
