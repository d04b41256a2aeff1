package bccpy

import (
	"fmt"
	"strings"

	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
)

// usdtContext is a script's USDT(pid=N) or USDT(path=BINARY): the probes
// it enables (enable_probe) are attached when BPF(usdt_contexts=[...])
// loads the program.
type usdtContext struct {
	pid    int
	path   string
	probes []runplan.Attach
	line   int
}

// isUSDTCall: USDT(...) or bcc.USDT(...).
func isUSDTCall(n *node) bool {
	return n.kind == "call" && (n.x.dotted() == "USDT" || n.x.dotted() == "bcc.USDT")
}

// newUSDT reads u = USDT(pid=N) or USDT(path="/usr/bin/x").
func (r *reader) newUSDT(n *node) (*usdtContext, error) {
	u := &usdtContext{line: n.line}
	if p := n.kwargs["pid"]; p != nil {
		f, ok := r.num(p)
		if !ok || f < 1 || f != float64(int(f)) {
			return nil, fmt.Errorf("%d: USDT(pid=...): the process is not known before the script runs: give its PID as the script's argument after --, e.g. run SCRIPT -- 1234", n.line)
		}
		u.pid = int(f)
	}
	if p := n.kwargs["path"]; p != nil {
		s, ok := r.str(p)
		if !ok || s == "" {
			return nil, fmt.Errorf("%d: USDT(path=...) is computed by the script: not known before it runs", n.line)
		}
		u.path = s
	}
	if u.pid == 0 && u.path == "" {
		return nil, fmt.Errorf("%d: USDT() names neither a pid nor a path", n.line)
	}
	return u, nil
}

// usdtMethod reads u.enable_probe(probe="[PROVIDER:]NAME", fn_name="f").
func (r *reader) usdtMethod(u *usdtContext, method string, n *node) {
	switch method {
	case "enable_probe", "enable_probe_or_bail":
		probe, ok1 := r.strArg(n, "probe", 0)
		fn, ok2 := r.strArg(n, "fn_name", 1)
		if !ok1 || !ok2 || probe == "" || fn == "" {
			r.note(n.line, "%s without a literal probe and fn_name: not attached", method)
			return
		}
		provider, name := "", probe // "[provider:]name"
		if i := strings.LastIndexByte(probe, ':'); i >= 0 {
			provider, name = probe[:i], probe[i+1:]
		}
		u.probes = append(u.probes, runplan.Attach{
			Program: fn, Kind: runplan.USDT, Target: u.path + ":" + provider + ":" + name, PID: u.pid,
		})
	case "get_text", "enumerate_probes", "attach_uprobes", "attach_uretprobes":
	default:
		r.note(n.line, "USDT's %s() is not understood; ignored", method)
	}
}

// usdtAttach adds the probes of the USDT contexts given to BPF(): the
// list's elements are not read, so every context that enabled a probe.
func (r *reader) usdtAttach() {
	for _, name := range r.usdtOrder {
		r.s.Attach = append(r.s.Attach, r.usdt[name].probes...)
	}
}
