package probe

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// libbpf's messages around a rejected load, as the logger collects them
// (written for this test in libbpf's and the verifier's format).
func libbpfMessages(log string) []string {
	lines := []string{
		"libbpf: prog 'count_opens': BPF program load failed: Permission denied",
		"libbpf: prog 'count_opens': -- BEGIN PROG LOAD LOG --",
	}
	lines = append(lines, strings.Split(strings.Trim(log, "\n"), "\n")...)
	return append(lines, "-- END PROG LOAD LOG --", "libbpf: prog 'count_opens': failed to load: -13")
}

const nullLog = `
arg#0 reference type('UNKNOWN ') size cannot be determined: -22
0: R1=ctx() R10=fp0
; u32 pid = bpf_get_current_pid_tgid() >> 32; @ opens.bpf.c:16
0: (85) call bpf_get_current_pid_tgid#14      ; R0=scalar()
1: (77) r0 >>= 32                     ; R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
2: (63) *(u32 *)(r10 -4) = r0         ; R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0 fp-8=mmmm????
3: (bf) r2 = r10                      ; R2=fp0 R10=fp0
;  @ opens.bpf.c:0
4: (07) r2 += -4                      ; R2=fp-4
; u64 *n = bpf_map_lookup_elem(&opens, &pid); @ opens.bpf.c:17
5: (18) r1 = 0xffff888104896400       ; R1=map_ptr(map=opens,ks=4,vs=8)
7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=opens,ks=4,vs=8)
; *n += 1; @ opens.bpf.c:18
8: (79) r1 = *(u64 *)(r0 +0)
R0 invalid mem access 'map_value_or_null'
processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`

func TestVerifierErrorExplains(t *testing.T) {
	v := verifierError(libbpfMessages(nullLog), syscall.EACCES)
	if v == nil {
		t.Fatal("no VerifierError")
	}
	if v.Program != "count_opens" || len(v.Tail) != verifierTailLines || len(v.Log) != 16 {
		t.Errorf("program %q, %d tail lines, %d log lines", v.Program, len(v.Tail), len(v.Log))
	}
	v.Lang = "en"
	en := v.Error()
	if !strings.HasPrefix(en, "opens.bpf.c:18: a map lookup (bpf_map_lookup_elem, or map.lookup() in BCC) returns NULL") {
		t.Errorf("English:\n%s", en)
	}
	if !strings.Contains(en, "\nthe kernel's verifier rejected BPF program count_opens (permission denied (EACCES)); its last lines:\n    ") ||
		!strings.HasSuffix(en, "    processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0") {
		t.Errorf("the heading or the last lines are missing:\n%s", en)
	}
	v.Lang = "zh"
	zh := v.Error()
	if !strings.HasPrefix(zh, "opens.bpf.c:18: 映射查找") || !strings.Contains(zh, "\n内核的验证器拒绝了 BPF 程序 count_opens") {
		t.Errorf("Chinese:\n%s", zh)
	}
}

// The language follows the locale when the caller leaves it empty.
func TestVerifierErrorFollowsTheLocale(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	v := verifierError(libbpfMessages(nullLog), syscall.EACCES)
	if got := v.Error(); !strings.Contains(got, "映射查找") {
		t.Errorf("LANG=zh_CN.UTF-8:\n%s", got)
	}
	t.Setenv("LANG", "en_US.UTF-8")
	if got := v.Error(); !strings.Contains(got, "a map lookup") {
		t.Errorf("LANG=en_US.UTF-8:\n%s", got)
	}
}

// E2BIG is the kernel's answer to a program too big or too complex to
// verify, even when the log's last words are not a known message.
func TestVerifierErrorE2BIG(t *testing.T) {
	log := "; for (int i = 0; i < n; i++) @ big.bpf.c:12\n90: (bf) r1 = r6\nsomething a future kernel says"
	v := verifierError(libbpfMessages(log), fmt.Errorf("load: %w", syscall.E2BIG))
	v.Lang = "en"
	if got := v.Error(); !strings.HasPrefix(got, "big.bpf.c:12: the verifier cannot prove this loop ends") {
		t.Errorf("E2BIG:\n%s", got)
	}
	v = verifierError(libbpfMessages(log), syscall.EINVAL)
	v.Lang = "en"
	if got := v.Error(); !strings.HasPrefix(got, "the kernel's verifier rejected") {
		t.Errorf("an unknown message explained anyway:\n%s", got)
	}
}
