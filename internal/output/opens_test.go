package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
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
			"1.000000000        we\"ird           77     <read error -14>\n"},
		{"TID and FD/ERR columns on request", OpenOptions{ShowTID: true, ShowErrors: true}, "" +
			"TIME(s)            COMM             PID    TID    FD   ERR FILE\n" +
			"0.000000000        cat              1234   1235   3    0   /etc/hosts\n" +
			"0.250000001        cat              1234   1234   -1   2   missing\n" +
			"1.000000000        we\"ird           77     77     4    0   <read error -14>\n"},
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
	if r := recs[2]; r.Comm != `we"ird` || r.NameError != -14 || r.File != "<read error -14>" {
		t.Errorf("odd record = %+v", r)
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"quote\" backslash\\", `"quote\" backslash\\"`},
		{"tab\tnewline\n", `"tab\tnewline\n"`},
		{"\x01ctl", `"\u0001ctl"`},
		{"caf\xc3\xa9", `"café"`},
		{"bad\xffutf8", "\"bad\ufffdutf8\""},
	}
	for _, tt := range tests {
		got := string(AppendJSONString(nil, tt.in))
		if got != tt.want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%s is not valid JSON: %v", got, err)
		}
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
