package doctor

import (
	"errors"
	"strings"
	"testing"
)

// TestJudgeAttachFollowsAuto: the attach checks must say what auto would do.
// On PREEMPT_RT 6.1 the tracepoints were refused (EACCES) while kprobe
// worked: doctor said "not ready" and advised CONFIG_FTRACE_SYSCALLS=y.
func TestJudgeAttachFollowsAuto(t *testing.T) {
	eacces := errors.New("--attach tracepoint: attach tracepoint syscalls:sys_exit_open: permission denied (EACCES)")
	missing := errors.New("--attach tracepoint: none of the tracepoints tracepoint/syscalls/sys_enter_openat exist (kernel without CONFIG_FTRACE_SYSCALLS?)")
	noKprobes := errors.New("--attach kprobe: kernel built without CONFIG_KPROBES")
	eperm := errors.New("--attach fentry: kernel refused to load open_perf.bpf.o: operation not permitted (EPERM)")
	tests := []struct {
		name        string
		tried       []Attempt
		want        map[string]Status
		hintHas     map[string]string // check -> substring its hint must contain
		hintHasNone map[string]string // check -> substring its hint must not contain
	}{
		{
			name:        "rt: kprobe works, tracepoints refused",
			tried:       []Attempt{{Mode: "kprobe", Where: "kprobe on do_sys_openat2"}, {Mode: "fentry", Where: "fentry on do_sys_openat2"}, {Mode: "tracepoint", Err: eacces}},
			want:        map[string]Status{"attach_kprobe": OK, "attach_fentry": OK, "attach_tracepoint": Warn},
			hintHas:     map[string]string{"attach_tracepoint": "auto uses kprobe"},
			hintHasNone: map[string]string{"attach_tracepoint": "CONFIG_FTRACE_SYSCALLS"},
		},
		{
			name:    "this machine: only tracepoints",
			tried:   []Attempt{{Mode: "kprobe", Err: noKprobes}, {Mode: "fentry", Err: eperm}, {Mode: "tracepoint", Where: "tracepoints"}},
			want:    map[string]Status{"attach_kprobe": Warn, "attach_fentry": Warn, "attach_tracepoint": OK},
			hintHas: map[string]string{"attach_fentry": "auto uses tracepoint"},
		},
		{
			name:    "nothing works, tracepoints missing",
			tried:   []Attempt{{Mode: "kprobe", Err: noKprobes}, {Mode: "fentry", Err: eperm}, {Mode: "tracepoint", Err: missing}},
			want:    map[string]Status{"attach_kprobe": Warn, "attach_fentry": Warn, "attach_tracepoint": Fail},
			hintHas: map[string]string{"attach_tracepoint": "CONFIG_FTRACE_SYSCALLS"},
		},
		{
			name:        "nothing works, tracepoints refused",
			tried:       []Attempt{{Mode: "kprobe", Err: noKprobes}, {Mode: "fentry", Err: eperm}, {Mode: "tracepoint", Err: eacces}},
			want:        map[string]Status{"attach_tracepoint": Fail},
			hintHasNone: map[string]string{"attach_tracepoint": "CONFIG_FTRACE_SYSCALLS"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]Check{}
			for _, c := range judgeAttach(tt.tried, "en") {
				got[c.Name] = c
			}
			for name, status := range tt.want {
				if got[name].Status != status {
					t.Errorf("%s: status %s, want %s (%+v)", name, got[name].Status, status, got[name])
				}
			}
			for name, s := range tt.hintHas {
				if !strings.Contains(got[name].Hint, s) {
					t.Errorf("%s: hint %q lacks %q", name, got[name].Hint, s)
				}
			}
			for name, s := range tt.hintHasNone {
				if strings.Contains(got[name].Hint, s) {
					t.Errorf("%s: hint %q names %q, not the cause", name, got[name].Hint, s)
				}
			}
		})
	}
}
