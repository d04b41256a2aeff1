package ready

import (
	"bytes"
	"testing"
)

func TestAnnounceIsFoundAndNothingElseIs(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("ebpf-hello: attach: using tracepoints\n")
	if In(buf.String()) {
		t.Fatal("found before Announce")
	}
	if err := Announce(&buf); err != nil {
		t.Fatal(err)
	}
	if !In(buf.String()) {
		t.Fatalf("not found in %q", buf.String())
	}
	for _, text := range []string{"ebpf-hello: ready to go\n", "x ebpf-hello: ready\n", "ebpf-hello: read"} {
		if In(text) {
			t.Errorf("In(%q) = true; only the whole line counts", text)
		}
	}
}
