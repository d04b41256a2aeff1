package main

import (
	"io"
	"reflect"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	for _, tt := range []struct{ in, want []string }{
		{[]string{"ebpf-hello", "open", "--comm", "cat"}, []string{"ebpf-hello", "open", "--comm", "cat"}},
		{[]string{"ebpf-hello", "open", "x", "--comm", "cat", "--json"}, []string{"ebpf-hello", "open", "--comm", "cat", "--json", "x"}},
		{[]string{"ebpf-hello", "--verbose", "printk", "x", "-n", "3"}, []string{"ebpf-hello", "--verbose", "printk", "-n", "3", "x"}},
		{[]string{"ebpf-hello", "open", "x", "--", "--json"}, []string{"ebpf-hello", "open", "x", "--", "--json"}},
		{[]string{"ebpf-hello", "open", "x", "--comm=cat"}, []string{"ebpf-hello", "open", "--comm=cat", "x"}},
		{[]string{"ebpf-hello", "nosuch", "x", "--y"}, []string{"ebpf-hello", "nosuch", "x", "--y"}},
	} {
		if got := flagsFirst(app, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("flagsFirst(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
