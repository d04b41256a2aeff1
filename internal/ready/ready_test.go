package ready

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
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

func TestProcessWaitsForTheReadyLine(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	p, err := Start(exec.Command(sh, "-c", `echo "starting" >&2; sleep 0.1; echo "`+Line+`" >&2; echo one; echo two`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitReady(testenv.Patience); err != nil {
		t.Fatalf("WaitReady: %v (stderr %q)", err, p.Stderr())
	}
	var got []string
	for line := range p.Lines {
		got = append(got, line)
	}
	<-p.Done
	if strings.Join(got, ",") != "one,two" || p.Err != nil {
		t.Errorf("lines %q, exit %v", got, p.Err)
	}

	p, err = Start(exec.Command(sh, "-c", "echo never ready >&2; exit 3"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitReady(testenv.Patience); !errors.Is(err, ErrExited) {
		t.Errorf("a command that exits at once: %v, want ErrExited", err)
	}
}
