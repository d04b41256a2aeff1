package bccpy

import (
	"reflect"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// A script's own conversions of addresses and ports are followed, so the
// row matches what BCC prints (tcpv4connect-like and tcpconnect-like).
func TestScriptConversions(t *testing.T) {
	py := `from bcc import BPF
from socket import inet_ntop, ntohs, AF_INET, AF_INET6
from struct import pack
import socket
b = BPF(text="int x(void *ctx) { return 0; }")
def print_event(cpu, data, size):
    event = b["events"].event(data)
    print("%-6d %-16s %-16s %-39s %-5d %-5d" % (event.pid,
        inet_ntop(AF_INET, pack("I", event.saddr)),
        socket.inet_ntoa(pack("=I", event.daddr)),
        inet_ntop(AF_INET6, event.saddr6),
        ntohs(event.dport), socket.ntohl(event.seq)))
b["events"].open_perf_buffer(print_event)
while 1:
    b.perf_buffer_poll()
`
	s, err := Read([]byte(py), "conv.py")
	if err != nil {
		t.Fatal(err)
	}
	want := []runplan.PrintArg{
		{Field: "pid"},
		{Field: "saddr", Convert: runplan.ConvertIPv4},
		{Field: "daddr", Convert: runplan.ConvertIPv4},
		{Field: "saddr6", Convert: runplan.ConvertIPv6},
		{Field: "dport", Convert: runplan.ConvertNtohs},
		{Field: "seq", Convert: runplan.ConvertNtohl},
	}
	o := s.Plan.Outputs
	if len(o) != 1 || o[0].Print == nil || !reflect.DeepEqual(o[0].Print.Args, want) {
		t.Fatalf("outputs %+v", o)
	}
	// pack with a network-order or 8-byte format is not an IPv4 address
	// in memory: not followed (run shows the field its own way).
	py2 := `from bcc import BPF
from socket import inet_ntop, AF_INET
from struct import pack
b = BPF(text="int x(void *ctx) { return 0; }")
def print_event(cpu, data, size):
    event = b["events"].event(data)
    print("%s" % inet_ntop(AF_INET, pack("L", event.saddr)))
b["events"].open_perf_buffer(print_event)
while 1:
    b.perf_buffer_poll()
`
	s, err = Read([]byte(py2), "conv2.py")
	if err != nil {
		t.Fatal(err)
	}
	if o := s.Plan.Outputs; len(o) == 1 && o[0].Print != nil {
		t.Errorf("pack(\"L\", ...) followed: %+v", o[0].Print.Args)
	}
}

// open_perf_buffer's page_cnt reaches the plan (run gives at least that).
func TestPerfBufferPages(t *testing.T) {
	for _, tc := range []struct {
		call  string
		pages int
		note  bool
	}{
		{`open_perf_buffer(show, page_cnt=4096)`, 4096, false},
		{`open_perf_buffer(show, 64)`, 64, false},
		{`open_perf_buffer(show)`, 0, false},
		{`open_perf_buffer(show, page_cnt=100)`, 0, true},
	} {
		py := `from bcc import BPF
b = BPF(text="int x(void *ctx) { return 0; }")
def show(cpu, data, size):
    e = b["events"].event(data)
    print("%d" % e.pid)
b["events"].` + tc.call + `
while 1:
    b.perf_buffer_poll()
`
		s, err := Read([]byte(py), "pages.py")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Plan.Outputs) != 1 || s.Plan.Outputs[0].Pages != tc.pages || (len(s.Plan.Notes) > 0) != tc.note {
			t.Errorf("%s: outputs %+v notes %q", tc.call, s.Plan.Outputs, s.Plan.Notes)
		}
	}
}
