package doctor

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// catTracePipe starts `cat trace_pipe`, as a learner's other terminal does,
// and returns the tracefs root and cat's pid once cat has the file open.
// If cat cannot open it (another process holds it, and this kernel takes
// one reader at a time), the test fails naming that process.
func catTracePipe(t *testing.T) (string, int) {
	t.Helper()
	root, err := tracefs.Ensure(nil)
	if err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(root, "trace_pipe")
	var stderr strings.Builder
	cmd := exec.Command("cat", pipe)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	for {
		for _, h := range tracepipe.Holders(pipe) {
			if h.PID == cmd.Process.Pid {
				return root, h.PID
			}
		}
		select {
		case <-exited:
			t.Fatalf("cat could not open trace_pipe (%s); it is held by %s", strings.TrimSpace(stderr.String()), holdersOf(pipe))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func holdersOf(pipe string) string {
	var names []string
	for _, h := range tracepipe.Holders(pipe) {
		names = append(names, h.String())
	}
	if len(names) == 0 {
		return "no process this test can see"
	}
	return strings.Join(names, ", ")
}

// TestVerdictWhileTracePipeIsHeld: while another process reads trace_pipe,
// printk's self-test cannot read its line. doctor warned, then ended with
// "printk works", which it had not seen. The verdict must say printk was
// not checked, and who holds trace_pipe, in both languages.
func TestVerdictWhileTracePipeIsHeld(t *testing.T) {
	testenv.RequireRoot(t)
	root, pid := catTracePipe(t)
	who := fmt.Sprintf("pid %d (cat)", pid)
	for _, lang := range []string{"en", "zh"} {
		// open's attach check and self-test passed (as they do here); then
		// printk's self-test meets the reader. It stops before running
		// the binary, so none is given.
		d := &doctor{lang: lang, report: &Report{}}
		busy, err := d.selftestPrintk("", root)
		d.summarize(facts{root: true, tracefs: root, attach: "tracepoint", buffer: "perf", self: selfResult{ran: true, ok: err == nil, printkBusy: busy}})
		r := d.report
		if len(r.Checks) != 1 || r.Checks[0].Name != "selftest_printk" || r.Checks[0].Status != Warn || !strings.Contains(r.Checks[0].Detail, who) {
			t.Errorf("%s: checks %+v, want one warning from selftest_printk naming %s", lang, r.Checks, who)
		}
		if !r.Ready {
			t.Errorf("%s: not ready while %s reads trace_pipe: %s", lang, who, r.Summary)
		}
		if strings.HasSuffix(r.Summary, mPrintkWorks.in(lang)) || !strings.Contains(r.Summary, who) {
			t.Errorf("%s: summary %q: want it to say printk was not checked because %s holds trace_pipe", lang, r.Summary, who)
		}
		if want := mPrintkBusy.in(lang, who); !strings.HasSuffix(r.Summary, want) {
			t.Errorf("%s: summary %q does not end with %q", lang, r.Summary, want)
		}
	}
}

// TestVerdictSaysWhatWasChecked: the summary's printk part follows what
// the self-test did: seen working, not run, or not readable.
func TestVerdictSaysWhatWasChecked(t *testing.T) {
	for _, tt := range []struct {
		name           string
		selfRan        bool
		busy           string
		wantEn, wantZh string
		notEnNotZh     []string
	}{
		{"self-test passed", true, "", "; printk works", "；printk 可用", nil},
		{"self-test off", false, "", "; printk not checked (--selftest=false)", "；未检查 printk（--selftest=false）", []string{"printk works", "printk 可用"}},
		{"trace_pipe held", true, "pid 42 (cat)", "; printk not checked: pid 42 (cat) holds trace_pipe open", "；未检查 printk：pid 42 (cat) 占用着 trace_pipe", []string{"printk works", "printk 可用"}},
	} {
		for lang, want := range map[string]string{"en": tt.wantEn, "zh": tt.wantZh} {
			d := &doctor{lang: lang, report: &Report{}}
			d.summarize(facts{root: true, attach: "tracepoint", buffer: "perf", self: selfResult{ran: tt.selfRan, ok: tt.selfRan, printkBusy: tt.busy}})
			if !d.report.Ready || !strings.Contains(d.report.Summary, want) {
				t.Errorf("%s, %s: ready %v, summary %q, want ready and %q in it", tt.name, lang, d.report.Ready, d.report.Summary, want)
			}
			for _, not := range tt.notEnNotZh {
				if strings.Contains(d.report.Summary, not) {
					t.Errorf("%s, %s: summary %q claims %q", tt.name, lang, d.report.Summary, not)
				}
			}
		}
	}
}
