package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
)

var execs = []event.Exec{
	{TsNs: 2_000_000_000, PID: 4242, TID: 4242, PPID: 4100, UID: 1000, Comm: "ls", File: "/usr/bin/ls", Args: []string{"ls", "-l", "/tmp"}, ArgCut: []bool{false, false, false}},
	{TsNs: 2_500_000_000, PID: 4243, TID: 4244, PPID: 4100, Comm: "sh", File: "nope", Ret: -2, Args: []string{"nope", "a\nb", `c\d`, "\x1b[2J"}, ArgCut: []bool{false, false, false, false}},
	{TsNs: 3_000_000_000, PID: 9, TID: 9, PPID: 1, Comm: "x", File: "/long", FileCut: true, Args: []string{"x", "yyy"}, ArgCut: []bool{false, true}, ArgsMore: true},
	{TsNs: 3_000_000_001, PID: 10, TID: 10, PPID: 1, Comm: "y", Args: []string{"argv0", "z"}, ArgCut: []bool{false, false}, ArgsUnreadable: true},
}

func renderExec(t *testing.T, opts ExecOptions) string {
	t.Helper()
	var out bytes.Buffer
	p := NewExecPrinter(&out, opts)
	if err := p.Header(); err != nil {
		t.Fatal(err)
	}
	for i := range execs {
		if err := p.Print(&execs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if p.Written() != uint64(len(execs)) {
		t.Errorf("Written = %d, want %d", p.Written(), len(execs))
	}
	return out.String()
}

func TestExecTable(t *testing.T) {
	want := "" +
		"TIME(s)            PCOMM            PID     PPID    RET ARGS\n" +
		"0.000000000        ls               4242    4100    0   /usr/bin/ls -l /tmp\n" +
		"0.500000000        sh               4243    4100    -2  nope a\\nb c\\\\d \\x1b[2J\n" +
		"1.000000000        x                9       1       0   /long\\... yyy\\... \\...\n" +
		"1.000000001        y                10      1       0   argv0 z <arguments unreadable>\n"
	if got := renderExec(t, ExecOptions{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestExecJSON(t *testing.T) {
	got := renderExec(t, ExecOptions{JSON: true, Attach: "tracepoint"})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(execs) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(execs), got)
	}
	type record struct {
		TimeS    float64  `json:"time_s"`
		PID      uint32   `json:"pid"`
		PPID     uint32   `json:"ppid"`
		Comm     string   `json:"comm"`
		Ret      int      `json:"ret"`
		File     string   `json:"file"`
		FileCut  bool     `json:"file_cut"`
		Args     []string `json:"args"`
		ArgsCut  []int    `json:"args_cut"`
		ArgsMore bool     `json:"args_more"`
		Attach   string   `json:"attach"`
	}
	var recs []record
	for _, line := range lines {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	if r := recs[0]; r.PID != 4242 || r.PPID != 4100 || r.Comm != "ls" || r.File != "/usr/bin/ls" || strings.Join(r.Args, "|") != "ls|-l|/tmp" || r.Attach != "tracepoint" {
		t.Errorf("first record %+v", r)
	}
	// Escaped as in the table: \n, \\, \x1b stay text, so a line stays a line.
	if r := recs[1]; r.Ret != -2 || strings.Join(r.Args, "|") != `nope|a\nb|c\\d|\x1b[2J` {
		t.Errorf("second record %+v", r)
	}
	if r := recs[2]; !r.FileCut || len(r.ArgsCut) != 1 || r.ArgsCut[0] != 1 || !r.ArgsMore {
		t.Errorf("cut record %+v", r)
	}
}

// FuzzExecPrinter: whatever bytes a process passes as its path and
// arguments, each event is exactly one line in the table and one valid
// JSON object, with no control character reaching the output.
func FuzzExecPrinter(f *testing.F) {
	f.Add("/bin/ls", "ls", "-l\n\x1b[2J", false)
	f.Add("", "\xff\xfe", `\...`, true)
	f.Fuzz(func(t *testing.T, file, arg0, arg1 string, cut bool) {
		e := event.Exec{TsNs: 1, PID: 2, PPID: 1, Comm: arg0, File: file, Args: []string{arg0, arg1}, ArgCut: []bool{false, cut}, ArgsMore: cut}
		for _, opts := range []ExecOptions{{}, {JSON: true}} {
			var out bytes.Buffer
			p := NewExecPrinter(&out, opts)
			if err := p.Print(&e); err != nil {
				t.Fatal(err)
			}
			if err := p.Flush(); err != nil {
				t.Fatal(err)
			}
			line := out.String()
			if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
				t.Fatalf("not one line: %q", line)
			}
			for _, c := range strings.TrimSuffix(line, "\n") {
				if c < 0x20 || c == 0x7f {
					t.Fatalf("control character %q in %q", c, line)
				}
			}
			if opts.JSON && !json.Valid([]byte(line)) {
				t.Fatalf("invalid JSON %q", line)
			}
		}
	})
}

// TestExecPIDNamespaceIDs: a parent outside the namespace (PPID 0) shows
// as "-", and JSON adds the host's ids.
func TestExecPIDNamespaceIDs(t *testing.T) {
	e := event.Exec{TsNs: 1, PID: 1, PPID: 0, HostPID: 900, HostPPID: 899, Comm: "sh", File: "/bin/sh"}
	var out bytes.Buffer
	p := NewExecPrinter(&out, ExecOptions{PIDNamespace: true})
	_ = p.Header()
	_ = p.Print(&e)
	_ = p.Flush()
	if row := strings.Split(out.String(), "\n")[1]; !strings.HasPrefix(row, "0.000000000        sh               1       -       0   /bin/sh") {
		t.Errorf("row: %q", row)
	}
	out.Reset()
	p = NewExecPrinter(&out, ExecOptions{PIDNamespace: true, JSON: true})
	_ = p.Print(&e)
	_ = p.Flush()
	if !strings.Contains(out.String(), `"ppid":0,"host_pid":900,"host_ppid":899`) {
		t.Errorf("JSON: %s", out.String())
	}
}
