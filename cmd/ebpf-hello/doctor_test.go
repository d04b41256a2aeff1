package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type doctorReport struct {
	Checks []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Detail string `json:"detail"`
		Hint   string `json:"hint"`
	} `json:"checks"`
	Attach  string `json:"attach"`
	Buffer  string `json:"buffer"`
	Ready   bool   `json:"ready"`
	Summary string `json:"summary"`
}

func (r doctorReport) status(name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

// TestDoctorAsRoot: the report must agree with what the commands do here:
// its attach mode is the first of the chain that loaded, and the live
// self-tests of open and printk pass.
func TestDoctorAsRoot(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	before := ourPrograms(t)
	r := runBinary(t, bin, "doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json printed invalid JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 0 || !rep.Ready {
		t.Fatalf("exit %d, ready %v; want 0 and ready on this machine:\n%s\n%s", r.code, rep.Ready, r.stdout, r.stderr)
	}
	for _, name := range []string{"kernel", "btf", "privileges", "tracefs", "syscall_tracepoints", "perf_buffer", "attach_tracepoint", "selftest_open", "selftest_printk"} {
		if s := rep.status(name); s != "ok" {
			t.Errorf("check %s is %q, want ok", name, s)
		}
	}
	first := ""
	for _, mode := range []string{"kprobe", "fentry", "tracepoint"} {
		if rep.status("attach_"+mode) == "ok" && first == "" {
			first = mode
		}
	}
	if rep.Attach != first || rep.Buffer != "perf" {
		t.Errorf("summary says %s/%s, want %s/perf (the first mode that loaded)", rep.Attach, rep.Buffer, first)
	}
	// open itself must use the same mode.
	keepOpening(t)
	o := runBinary(t, bin, "open", "-n", "1")
	if !strings.Contains(o.stderr, "attach: using "+first) {
		t.Errorf("doctor says %s, open says:\n%s", first, o.stderr)
	}
	assertNothingLeft(t, before)
}

// TestDoctorAsNonRoot: a normal user learns what is missing, and exit is 1.
func TestDoctorAsNonRoot(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	r := runCommand(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, "doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || rep.Ready {
		t.Errorf("exit %d ready %v, want 1 and not ready", r.code, rep.Ready)
	}
	if rep.status("privileges") != "fail" || rep.status("attach") != "skip" || !strings.Contains(rep.Summary, "sudo") {
		t.Errorf("privileges %q, attach %q, summary %q: want fail, skip, and a hint to use sudo", rep.status("privileges"), rep.status("attach"), rep.Summary)
	}
	if r.stderr != "" {
		t.Errorf("the report is the message; stderr should be empty, got %q", r.stderr)
	}
}

// TestDoctorSpeaksChinese with --lang zh and with LANG=zh_CN.UTF-8.
func TestDoctorSpeaksChinese(t *testing.T) {
	bin := binary(t)
	requireRootAndSetpriv(t)
	r := runBinary(t, bin, "doctor", "--lang", "zh", "--selftest=false")
	if !strings.Contains(r.stdout, "就绪") && !strings.Contains(r.stdout, "未就绪") {
		t.Errorf("--lang zh summary is not Chinese:\n%s", r.stdout)
	}
	t.Setenv("LANG", "zh_CN.UTF-8")
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	r = runBinary(t, bin, "doctor", "--selftest=false")
	if !strings.Contains(r.stdout, "存在") {
		t.Errorf("LANG=zh_CN.UTF-8 did not give Chinese:\n%s", r.stdout)
	}
}
