package bcc

import (
	"fmt"
	"strings"
)

// bccMap is one map declared with a BCC macro (BPF_HASH(...) and friends).
type bccMap struct {
	Name      string // as the user wrote it
	Internal  string // name in the object (differs when it clashes with vmlinux.h)
	Macro     string // BPF_HASH, BPF_PERF_OUTPUT, ...
	Type      string // BPF_MAP_TYPE_HASH, ...
	Key       string // C type of the key ("" for perf/ring buffers)
	Value     string
	Size      string // max_entries as C text
	Flags     string // map_flags, "" for none
	Line      int
	EventType string // struct given to perf_submit/ringbuf_*: shown per event
	methods   map[string]bool
}

// mapMacro describes a BCC map macro: its map type and the defaults BCC's
// helpers.h gives to the arguments a program may leave out.
type mapMacro struct {
	mapType  string
	params   []string // names of the macro's parameters after the map's name
	defaults []string // default per parameter ("" = required)
	flags    string
}

// BCC's defaults: 10240 entries, u64 keys and values, int histogram keys
// with 64 slots, u32 array keys.
var mapMacros = map[string]mapMacro{
	"BPF_HASH":                  {"BPF_MAP_TYPE_HASH", []string{"key", "value", "size"}, []string{"u64", "u64", "10240"}, ""},
	"BPF_LRU_HASH":              {"BPF_MAP_TYPE_LRU_HASH", []string{"key", "value", "size"}, []string{"u64", "u64", "10240"}, ""},
	"BPF_PERCPU_HASH":           {"BPF_MAP_TYPE_PERCPU_HASH", []string{"key", "value", "size"}, []string{"u64", "u64", "10240"}, ""},
	"BPF_LRU_PERCPU_HASH":       {"BPF_MAP_TYPE_LRU_PERCPU_HASH", []string{"key", "value", "size"}, []string{"u64", "u64", "10240"}, ""},
	"BPF_ARRAY":                 {"BPF_MAP_TYPE_ARRAY", []string{"value", "size"}, []string{"u64", "10240"}, ""},
	"BPF_PERCPU_ARRAY":          {"BPF_MAP_TYPE_PERCPU_ARRAY", []string{"value", "size"}, []string{"u64", "10240"}, ""},
	"BPF_HISTOGRAM":             {"BPF_MAP_TYPE_HASH", []string{"key", "size"}, []string{"int", "64"}, ""},
	"BPF_PERF_OUTPUT":           {"BPF_MAP_TYPE_PERF_EVENT_ARRAY", nil, nil, ""},
	"BPF_RINGBUF_OUTPUT":        {"BPF_MAP_TYPE_RINGBUF", []string{"pages"}, []string{""}, ""},
	"BPF_STACK_TRACE":           {"BPF_MAP_TYPE_STACK_TRACE", []string{"size"}, []string{"10240"}, ""},
	"BPF_PROG_ARRAY":            {"BPF_MAP_TYPE_PROG_ARRAY", []string{"size"}, []string{""}, ""},
	"BPF_LPM_TRIE":              {"BPF_MAP_TYPE_LPM_TRIE", []string{"key", "value", "size"}, []string{"u64", "u64", "10240"}, "BPF_F_NO_PREALLOC"},
	"BPF_QUEUE":                 {"BPF_MAP_TYPE_QUEUE", []string{"value", "size"}, []string{"", ""}, ""},
	"BPF_STACK":                 {"BPF_MAP_TYPE_STACK", []string{"value", "size"}, []string{"", ""}, ""},
	"BPF_PERCPU_HISTOGRAM":      {"BPF_MAP_TYPE_PERCPU_HASH", []string{"key", "size"}, []string{"int", "64"}, ""},
	"BPF_PERF_ARRAY":            {"", nil, nil, ""},
	"BPF_TABLE_PUBLIC":          {"", nil, nil, ""},
	"BPF_TABLE_SHARED":          {"", nil, nil, ""},
	"BPF_TABLE_PINNED":          {"", nil, nil, ""},
	"BPF_HASH_OF_MAPS":          {"", nil, nil, ""},
	"BPF_ARRAY_OF_MAPS":         {"", nil, nil, ""},
	"BPF_SK_STORAGE":            {"", nil, nil, ""},
	"BPF_INODE_STORAGE":         {"", nil, nil, ""},
	"BPF_TASK_STORAGE":          {"", nil, nil, ""},
	"BPF_CGROUP_ARRAY":          {"", nil, nil, ""},
	"BPF_DEVMAP":                {"", nil, nil, ""},
	"BPF_CPUMAP":                {"", nil, nil, ""},
	"BPF_XSKMAP":                {"", nil, nil, ""},
	"BPF_SOCKMAP":               {"", nil, nil, ""},
	"BPF_SOCKHASH":              {"", nil, nil, ""},
	"BPF_CGROUP_STORAGE":        {"", nil, nil, ""},
	"BPF_PERCPU_CGROUP_STORAGE": {"", nil, nil, ""},
}

// tableTypes maps BPF_TABLE("type", ...) names to map types.
var tableTypes = map[string]string{
	"hash": "BPF_MAP_TYPE_HASH", "array": "BPF_MAP_TYPE_ARRAY", "percpu_hash": "BPF_MAP_TYPE_PERCPU_HASH",
	"percpu_array": "BPF_MAP_TYPE_PERCPU_ARRAY", "lru_hash": "BPF_MAP_TYPE_LRU_HASH",
	"lru_percpu_hash": "BPF_MAP_TYPE_LRU_PERCPU_HASH", "prog": "BPF_MAP_TYPE_PROG_ARRAY",
	"stacktrace": "BPF_MAP_TYPE_STACK_TRACE", "lpm_trie": "BPF_MAP_TYPE_LPM_TRIE",
	"perf_output": "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
}

// parseMap reads the macro call at token i (the macro's name). It returns
// the map and the index of the closing parenthesis.
func (u *unit) parseMap(i int) (*bccMap, int, error) {
	macro := u.tok(i)
	open := i + 1
	close := u.match(open)
	if u.tok(open) != "(" || close < 0 {
		return nil, 0, fmt.Errorf("%s:%d: %s without a closing parenthesis", u.name, u.toks[i].line, macro)
	}
	var args []string
	for _, a := range u.args(open, close) {
		args = append(args, u.squash(a[0], a[1]))
	}
	m := &bccMap{Macro: macro, Line: u.toks[i].line, methods: map[string]bool{}}
	if macro == "BPF_TABLE" || macro == "BPF_F_TABLE" {
		// BPF_TABLE("hash", key, value, name, size) and BPF_F_TABLE(..., flags)
		if len(args) < 5 {
			return nil, 0, fmt.Errorf("%s:%d: %s needs (type, key, value, name, size)", u.name, m.Line, macro)
		}
		kind := strings.Trim(args[0], `"`)
		m.Type = tableTypes[kind]
		if m.Type == "" {
			return nil, 0, fmt.Errorf("%s:%d: BPF_TABLE of type %q is not supported by ebpf-hello (declare the map libbpf-style with SEC(\".maps\"))", u.name, m.Line, kind)
		}
		m.Key, m.Value, m.Name, m.Size = args[1], args[2], args[3], args[4]
		if len(args) > 5 {
			m.Flags = args[5]
		}
		return m, close, nil
	}
	spec := mapMacros[macro]
	if spec.mapType == "" {
		return nil, 0, fmt.Errorf("%s:%d: %s is not supported by ebpf-hello (declare the map libbpf-style with SEC(\".maps\"))", u.name, m.Line, macro)
	}
	if len(args) == 0 || args[0] == "" {
		return nil, 0, fmt.Errorf("%s:%d: %s needs a name", u.name, m.Line, macro)
	}
	if len(args)-1 > len(spec.params) {
		return nil, 0, fmt.Errorf("%s:%d: %s takes at most %d arguments, got %d", u.name, m.Line, macro, len(spec.params)+1, len(args))
	}
	m.Name, m.Type, m.Flags = args[0], spec.mapType, spec.flags
	for k, p := range spec.params {
		v := spec.defaults[k]
		if k+1 < len(args) {
			v = args[k+1]
		}
		if v == "" {
			return nil, 0, fmt.Errorf("%s:%d: %s needs its %s argument", u.name, m.Line, macro, p)
		}
		switch p {
		case "key":
			m.Key = v
		case "value":
			m.Value = v
		case "size":
			m.Size = v
		case "pages":
			m.Size = "(" + v + ") * PAGE_SIZE"
		}
	}
	switch macro {
	case "BPF_ARRAY", "BPF_PERCPU_ARRAY":
		m.Key = "u32"
	case "BPF_HISTOGRAM", "BPF_PERCPU_HISTOGRAM":
		m.Value = "u64"
	case "BPF_STACK_TRACE":
		m.Key, m.Value = "u32", "u64[127]" // PERF_MAX_STACK_DEPTH
	case "BPF_PROG_ARRAY":
		m.Key, m.Value = "u32", "u32"
	}
	return m, close, nil
}

// definition is the libbpf BTF-style map definition, on one line so that
// an error in it points at the learner's BPF_HASH(...) line.
func (m *bccMap) definition() string {
	var b strings.Builder
	fmt.Fprintf(&b, "struct { __uint(type, %s); ", m.Type)
	switch m.Type {
	case "BPF_MAP_TYPE_PERF_EVENT_ARRAY":
		b.WriteString("__uint(key_size, sizeof(u32)); __uint(value_size, sizeof(u32)); ")
	case "BPF_MAP_TYPE_RINGBUF":
		fmt.Fprintf(&b, "__uint(max_entries, %s); ", m.Size)
	case "BPF_MAP_TYPE_STACK_TRACE":
		fmt.Fprintf(&b, "__uint(max_entries, %s); __uint(key_size, sizeof(u32)); __uint(value_size, 127 * sizeof(u64)); ", m.Size)
	case "BPF_MAP_TYPE_PROG_ARRAY":
		fmt.Fprintf(&b, "__uint(max_entries, %s); __uint(key_size, sizeof(u32)); __uint(value_size, sizeof(u32)); ", m.Size)
	case "BPF_MAP_TYPE_QUEUE", "BPF_MAP_TYPE_STACK":
		fmt.Fprintf(&b, "__uint(max_entries, %s); __type(value, %s); ", m.Size, m.Value)
	default:
		fmt.Fprintf(&b, "__uint(max_entries, %s); __type(key, %s); __type(value, %s); ", m.Size, m.Key, m.Value)
	}
	if m.Flags != "" {
		fmt.Fprintf(&b, "__uint(map_flags, %s); ", m.Flags)
	}
	fmt.Fprintf(&b, "} %s SEC(\".maps\")", m.Internal)
	return b.String()
}

// helpers are the static functions behind the methods BCC implements with
// more than one helper call.
func (m *bccMap) helpers() string {
	var b strings.Builder
	if m.methods["increment"] || m.methods["atomic_increment"] {
		fmt.Fprintf(&b, `
/* %[1]s.increment(key[, n]): add n (default 1) to the key's value, creating it. */
static __always_inline void %[1]s__increment(%[2]s key, %[3]s n)
{
	%[3]s *value = bpf_map_lookup_elem(&%[1]s, &key);

	if (value) {
		__sync_fetch_and_add(value, n);
		return;
	}
	if (bpf_map_update_elem(&%[1]s, &key, &n, BPF_NOEXIST) == 0)
		return;
	value = bpf_map_lookup_elem(&%[1]s, &key); /* another CPU created it first */
	if (value)
		__sync_fetch_and_add(value, n);
}
`, m.Internal, m.Key, m.Value)
	}
	if m.methods["lookup_or_try_init"] || m.methods["lookup_or_init"] {
		fmt.Fprintf(&b, `
/* %[1]s.lookup_or_try_init(&key, &init): the key's value, created from init if missing. */
static __always_inline %[3]s *%[1]s__lookup_or_try_init(%[2]s *key, %[3]s *init)
{
	%[3]s *value = bpf_map_lookup_elem(&%[1]s, key);

	if (value)
		return value;
	bpf_map_update_elem(&%[1]s, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&%[1]s, key);
}
`, m.Internal, m.Key, m.Value)
	}
	return b.String()
}
