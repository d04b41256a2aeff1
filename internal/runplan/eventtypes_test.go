package runplan

import (
	"reflect"
	"testing"
)

func TestEventTypes(t *testing.T) {
	src := `
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); } other SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); } mixed SEC(".maps");
int a(void *ctx) {
	struct stacktrace_event *event;
	event = bpf_ringbuf_reserve(&rb, sizeof(*event), 0); // a pointer's target
	struct exec_info e = {};
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	struct big *b = bpf_ringbuf_reserve(&other, sizeof(struct big), 0);
	struct one *x = bpf_ringbuf_reserve(&mixed, sizeof(*x), 0);
	struct two y;
	bpf_ringbuf_output(&mixed, &y, sizeof(y), 0);
	return 0;
}
int it(struct bpf_iter__task *ctx) {
	struct task_info *t = bpf_map_lookup_elem(&buf, &zero);
	bpf_seq_write(ctx->meta->seq, t, sizeof(struct task_info));
	return 0;
}`
	want := map[string]string{"rb": "stacktrace_event", "events": "exec_info", "other": "big", SeqWrite: "task_info"}
	if got := EventTypes([]byte(src)); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func FuzzEventTypes(f *testing.F) {
	f.Add([]byte("struct ev *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for m, ty := range EventTypes(src) {
			if m == "" || ty == "" {
				t.Errorf("empty name: %q -> %q", m, ty)
			}
		}
	})
}

// TestEventTypeNameEndingLikeTheVariable: libbpf-tools' capable declares
// `__type(value, struct cap_event)` and sends `struct cap_event event`:
// "cap_" + "event" is not a second declaration of event.
func TestEventTypeNameEndingLikeTheVariable(t *testing.T) {
	src := `struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, struct cap_event); } info SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); } events SEC(".maps");
int f(void *ctx) {
	struct cap_event event = {};
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, sizeof(event));
	return 0;
}`
	if got := EventTypes([]byte(src)); got["events"] != "cap_event" {
		t.Errorf("EventTypes = %v, want events: cap_event", got)
	}
}
