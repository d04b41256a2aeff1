package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

var opens = []event.Open{
	{TsNs: 5_000_000_000, PID: 1234, TID: 1235, UID: 1000, Comm: "cat", File: "/etc/hosts", HasRet: true, Ret: 3},
	{TsNs: 5_250_000_001, PID: 1234, TID: 1234, UID: 1000, Comm: "cat", File: "missing", HasRet: true, Ret: -2},
	{TsNs: 6_000_000_000, PID: 77, TID: 77, UID: 0, Comm: `we"ird`, NameErr: -14, HasRet: true, Ret: 4},
}

func render(t *testing.T, opts OpenOptions) string {
	t.Helper()
	var out bytes.Buffer
	p := NewOpenPrinter(&out, opts)
	if err := p.Header(); err != nil {
		t.Fatal(err)
	}
	for i := range opens {
		if err := p.Print(&opens[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestOpenTable(t *testing.T) {
	tests := []struct {
		name string
		opts OpenOptions
		want string
	}{
		{"the tutorial's columns, time relative to the first event", OpenOptions{}, "" +
			"TIME(s)            COMM             PID    FILE\n" +
			"0.000000000        cat              1234   /etc/hosts\n" +
			"0.250000001        cat              1234   missing\n" +
			"1.000000000        we\"ird           77     <read error EFAULT>\n"},
		{"TID and FD/ERR columns on request", OpenOptions{ShowTID: true, ShowErrors: true}, "" +
			"TIME(s)            COMM             PID    TID    FD   ERR FILE\n" +
			"0.000000000        cat              1234   1235   3    0   /etc/hosts\n" +
			"0.250000001        cat              1234   1234   -1   2   missing\n" +
			"1.000000000        we\"ird           77     77     4    0   <read error EFAULT>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.opts); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestOpenJSONIsOneValidObjectPerLine(t *testing.T) {
	got := render(t, OpenOptions{JSON: true, Attach: "tracepoint"})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(opens) {
		t.Fatalf("got %d lines, want %d (no header in JSON):\n%s", len(lines), len(opens), got)
	}
	type record struct {
		TimeS     float64 `json:"time_s"`
		TsNs      uint64  `json:"ts_ns"`
		PID       uint32  `json:"pid"`
		TID       uint32  `json:"tid"`
		Comm      string  `json:"comm"`
		File      string  `json:"file"`
		FD        *int    `json:"fd"`
		Err       *int    `json:"err"`
		NameError int     `json:"name_error"`
		Attach    string  `json:"attach"`
	}
	var recs []record
	for _, line := range lines {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	if recs[0].TimeS != 0 || recs[1].TimeS != 0.250000001 || recs[2].TimeS != 1 {
		t.Errorf("time_s = %v, %v, %v; want 0, 0.250000001, 1", recs[0].TimeS, recs[1].TimeS, recs[2].TimeS)
	}
	if r := recs[0]; r.PID != 1234 || r.TID != 1235 || r.Comm != "cat" || r.File != "/etc/hosts" || *r.FD != 3 || *r.Err != 0 || r.Attach != "tracepoint" || r.TsNs != 5_000_000_000 {
		t.Errorf("first record = %+v", r)
	}
	if r := recs[1]; *r.FD != -1 || *r.Err != 2 {
		t.Errorf("failed open: fd %d err %d, want -1 2", *r.FD, *r.Err)
	}
	if r := recs[2]; r.Comm != `we"ird` || r.NameError != -14 || r.File != "<read error EFAULT>" {
		t.Errorf("odd record = %+v", r)
	}
}

func BenchmarkOpenTableRow(b *testing.B) {
	var out bytes.Buffer
	p := NewOpenPrinter(&out, OpenOptions{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = p.Print(&opens[i%len(opens)])
		if out.Len() > 1<<20 {
			out.Reset()
		}
	}
}

// hostile are names any user can give a file or a process.
var hostile = []event.Open{
	// A failed open of this "file" used to print a second, forged row.
	{TsNs: 1, PID: 666, TID: 666, Comm: "evil", File: "/nonexistent\n0.000201234        sshd             1      /etc/shadow", HasRet: true, Ret: -2},
	// ESC sequences set the terminal title and clear the screen.
	{TsNs: 2, PID: 667, TID: 667, Comm: "\x1b]0;pwned\x07", File: "\x1b[2J\x1b[H", HasRet: true, Ret: -2},
	// C1 controls (CSI as U+009B) and bidi overrides, as UTF-8.
	{TsNs: 3, PID: 668, TID: 668, Comm: "c1\u009b2J", File: "txt.\u202egnp", HasRet: true, Ret: -2},
	// Two names that differ only in bytes that are not UTF-8.
	{TsNs: 4, PID: 669, TID: 669, Comm: "a", File: "bad\xff", HasRet: true, Ret: -2},
	{TsNs: 5, PID: 669, TID: 669, Comm: "a", File: "bad\xfe", HasRet: true, Ret: -2},
	// A backslash, so that escapes stay unambiguous.
	{TsNs: 6, PID: 669, TID: 669, Comm: "a", File: `bad\xff`, HasRet: true, Ret: -2},
}

func renderAll(t *testing.T, opts OpenOptions, events []event.Open) string {
	t.Helper()
	var out bytes.Buffer
	p := NewOpenPrinter(&out, opts)
	for i := range events {
		if err := p.Print(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestHostileNamesCannotForgeRowsOrReachTheTerminal(t *testing.T) {
	got := renderAll(t, OpenOptions{}, hostile)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(hostile) {
		t.Fatalf("%d events printed as %d lines:\n%s", len(hostile), len(lines), got)
	}
	for _, want := range []string{
		`/nonexistent\n0.000201234        sshd             1      /etc/shadow`,
		`\x1b]0;pwned\x07`, `\x1b[2J\x1b[H`, `c1\xc2\x9b2J`, `txt.\xe2\x80\xaegnp`,
		`bad\xff`, `bad\xfe`, `bad\\xff`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, c := range got {
		if (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u202e' || c == utf8.RuneError {
			t.Errorf("a raw %U reached the output:\n%q", c, got)
		}
	}
}

func TestJSONNamesAreLosslessAndDistinct(t *testing.T) {
	got := renderAll(t, OpenOptions{JSON: true}, hostile)
	seen := map[string]int{}
	for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		var r struct{ Comm, File string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		for _, f := range []struct{ got, want string }{{r.Comm, hostile[i].Comm}, {r.File, hostile[i].File}} {
			back, err := textsafe.Unescape(f.got)
			if err != nil || back != f.want {
				t.Errorf("line %d: %q unescapes to %q (%v), want %q", i, f.got, back, err, f.want)
			}
		}
		if j, dup := seen[r.File]; dup {
			t.Errorf("events %d and %d have different names but the same JSON file %q", j, i, r.File)
		}
		seen[r.File] = i
	}
}

func TestCutNamesAreMarked(t *testing.T) {
	long := strings.Repeat("d/", 127) + "x" // 255 bytes: what is left of a 3940-byte path
	cut := []event.Open{{TsNs: 1, PID: 1, TID: 1, Comm: "a", File: long, NameCut: true, HasRet: true, Ret: -2}}
	if got := renderAll(t, OpenOptions{}, cut); !strings.HasSuffix(got, long+textsafe.CutMark+"\n") {
		t.Errorf("table: a cut name is not marked:\n%q", got)
	}
	var r struct {
		File    string `json:"file"`
		FileCut bool   `json:"file_cut"`
	}
	if err := json.Unmarshal([]byte(renderAll(t, OpenOptions{JSON: true}, cut)), &r); err != nil || r.File != long || !r.FileCut {
		t.Errorf("JSON: file %q file_cut %v (%v), want the 255 bytes and file_cut true", r.File, r.FileCut, err)
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	n := w.n
	w.n = 0
	return n, errors.New("disk full")
}

func TestWrittenCountsOnlyWhatReachedTheWriter(t *testing.T) {
	row := len(renderAll(t, OpenOptions{}, opens[:1]))
	p := NewOpenPrinter(&failingWriter{n: row + 5}, OpenOptions{}) // the first row and a bit of the second
	for i := range opens {
		if err := p.Print(&opens[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err == nil {
		t.Fatal("Flush succeeded on a failing writer")
	}
	if got := p.Written(); got != 1 {
		t.Errorf("Written() = %d after 1 whole row reached the writer, want 1", got)
	}
}

func TestWrittenDoesNotCountTheHeader(t *testing.T) {
	var header bytes.Buffer
	h := NewOpenPrinter(&header, OpenOptions{})
	_ = h.Header()
	_ = h.Flush()
	row := len(renderAll(t, OpenOptions{}, opens[:1]))
	p := NewOpenPrinter(&failingWriter{n: header.Len() + row + 5}, OpenOptions{}) // the header, one row and a bit
	_ = p.Header()
	for i := range opens {
		_ = p.Print(&opens[i])
	}
	if err := p.Flush(); err == nil {
		t.Fatal("Flush succeeded on a failing writer")
	}
	if got := p.Written(); got != 1 {
		t.Errorf("Written() = %d after the header and 1 whole row reached the writer, want 1", got)
	}
}

func FuzzOpenPrinter(f *testing.F) {
	f.Add("cat", "/etc/hosts", false)
	f.Add("\x1b]0;x\x07", "a\nb\xff", true)
	f.Fuzz(func(t *testing.T, comm, file string, cut bool) {
		o := event.Open{TsNs: 1, PID: 2, TID: 3, Comm: comm, File: file, NameCut: cut, HasRet: true, Ret: -2}
		table := renderAll(t, OpenOptions{ShowTID: true, ShowErrors: true}, []event.Open{o})
		if strings.Count(table, "\n") != 1 || !strings.HasSuffix(table, "\n") || !utf8.ValidString(table) {
			t.Fatalf("table row %q is not one valid line", table)
		}
		var r struct{ Comm, File string }
		js := renderAll(t, OpenOptions{JSON: true}, []event.Open{o})
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			t.Fatalf("invalid JSON %q: %v", js, err)
		}
		if back, err := textsafe.Unescape(r.Comm); err != nil || back != comm {
			t.Fatalf("comm %q came back as %q", comm, back)
		}
		if file != "" {
			if back, err := textsafe.Unescape(r.File); err != nil || back != file {
				t.Fatalf("file %q came back as %q", file, back)
			}
		}
	})
}

// TestPIDNamespaceIDs: in a PID namespace a task outside it (id 0) shows
// as "-", and JSON carries the host's ids too; outside one, JSON has none.
func TestPIDNamespaceIDs(t *testing.T) {
	evs := []event.Open{
		{TsNs: 1, PID: 1, TID: 1, HostPID: 4242, HostTID: 4242, Comm: "sh", File: "in"},
		{TsNs: 2, PID: 0, TID: 0, HostPID: 77, HostTID: 78, Comm: "journald", File: "out"},
	}
	show := func(opts OpenOptions) string {
		var out bytes.Buffer
		p := NewOpenPrinter(&out, opts)
		_ = p.Header()
		for i := range evs {
			_ = p.Print(&evs[i])
		}
		_ = p.Flush()
		return out.String()
	}
	table := show(OpenOptions{PIDNamespace: true, ShowTID: true})
	want := "" +
		"TIME(s)            COMM             PID    TID    FILE\n" +
		"0.000000000        sh               1      1      in\n" +
		"0.000000001        journald         -      -      out\n"
	if table != want {
		t.Errorf("table:\n%s\nwant:\n%s", table, want)
	}
	lines := strings.Split(strings.TrimSpace(show(OpenOptions{PIDNamespace: true, JSON: true})), "\n")
	if !strings.Contains(lines[1], `"pid":0,"tid":0,"host_pid":77,"host_tid":78`) {
		t.Errorf("JSON in a namespace: %s", lines[1])
	}
	if host := show(OpenOptions{JSON: true}); strings.Contains(host, "host_") {
		t.Errorf("JSON on the host has host ids: %s", host)
	}
}
