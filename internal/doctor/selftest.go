package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"

	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// selftestTimeout bounds each live check; TCG virtual machines are slow.
const selftestTimeout = 30 * time.Second

// selftest runs the real commands, as a learner would, and checks that
// what they print is what this process did.
func (d *doctor) selftest(exe, tracefsDir string) selfResult {
	openErr := d.selftestOpen(exe)
	busy, printkErr := d.selftestPrintk(exe, tracefsDir)
	return selfResult{ran: true, ok: openErr == nil && printkErr == nil, printkBusy: busy}
}

// pipeBusy: another process reads trace_pipe (a learner's printk, a cat).
// That is no fault of this machine: printk cannot be checked now, so doctor
// warns instead of failing. Returns who holds it ("" when nobody does).
func (d *doctor) pipeBusy(stderr, tracefsDir string) string {
	var holders []string
	if tracefsDir != "" {
		for _, h := range tracepipe.Holders(filepath.Join(tracefsDir, "trace_pipe")) {
			holders = append(holders, h.String())
		}
	}
	if len(holders) == 0 && !strings.Contains(stderr, tracepipe.ErrBusy.Error()) {
		return ""
	}
	who := strings.Join(holders, ", ")
	if who == "" {
		who = mAnotherProcess.in(d.lang)
	}
	d.add("selftest_printk", Warn, mPipeBusy.in(d.lang, who), mPipeBusyHint.in(d.lang))
	return who
}

// selftestOpen: `open` filtered to one of our threads must report the
// unique file that thread opens, with our pid and that tid.
func (d *doctor) selftestOpen(exe string) error {
	dir, err := os.MkdirTemp("", "ebpf-hello-doctor-")
	if err != nil {
		return d.selfFail("selftest_open", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "selftest-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return d.selfFail("selftest_open", err)
	}

	// One locked OS thread does every open, so its tid is the one to expect.
	tids := make(chan int)
	opens := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		for range opens {
			if f, err := os.Open(path); err == nil {
				f.Close()
			}
		}
	}()
	tid := <-tids
	defer close(opens)

	out, stderr, err := runLive(exe, func() { opens <- struct{}{} },
		"open", "--json", "--count", "1", "--tid", strconv.Itoa(tid))
	if err != nil {
		return d.selfFail("selftest_open", fmt.Errorf("%v: %s", err, lastLine(stderr)))
	}
	var ev struct {
		PID    int    `json:"pid"`
		TID    int    `json:"tid"`
		File   string `json:"file"`
		Attach string `json:"attach"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		return d.selfFail("selftest_open", fmt.Errorf("open printed %q: %v", out, err))
	}
	if file, err := textsafe.Unescape(ev.File); err == nil {
		ev.File = file // open escapes names (a TMPDIR may hold a backslash)
	}
	if ev.PID != os.Getpid() || ev.TID != tid || ev.File != path {
		return d.selfFail("selftest_open", fmt.Errorf("event pid %d tid %d file %s, want pid %d tid %d file %s", ev.PID, ev.TID, ev.File, os.Getpid(), tid, path))
	}
	d.add("selftest_open", OK, mSelftestOK.in(d.lang, "open ("+ev.Attach+")", ev.PID, ev.TID, ev.File), "")
	return nil
}

// selftestPrintk: `printk` must read one "Hello, World!" line from
// trace_pipe; busy names who held trace_pipe when it could not be checked.
func (d *doctor) selftestPrintk(exe, tracefsDir string) (busy string, err error) {
	poke := func() {
		if f, err := os.Open("/proc/self/stat"); err == nil {
			f.Close()
		}
	}
	if who := d.pipeBusy("", tracefsDir); who != "" {
		return who, nil
	}
	out, stderr, err := runLive(exe, poke, "printk", "--count", "1", "--format", "json")
	if err != nil {
		if who := d.pipeBusy(stderr, tracefsDir); who != "" { // a reader that started meanwhile
			return who, nil
		}
		return "", d.selfFail("selftest_printk", fmt.Errorf("%v: %s", err, lastLine(stderr)))
	}
	var line struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(out), &line); err != nil || line.Message != event.HelloMessage {
		return "", d.selfFail("selftest_printk", fmt.Errorf("printk printed %q", out))
	}
	d.add("selftest_printk", OK, mPrintkOK.in(d.lang, attachUsed(stderr)), "")
	return "", nil
}

func (d *doctor) selfFail(name string, err error) error {
	d.add(name, Fail, mSelftestFail.in(d.lang, err), mSelftestHint.in(d.lang))
	return err
}

// runLive runs exe args, waits until it is ready (ready.Line), then calls
// poke every 100 ms until the command exits; returns its first stdout line.
func runLive(exe string, poke func(), args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), selftestTimeout)
	defer cancel()
	p, err := ready.Start(exec.CommandContext(ctx, exe, args...))
	if err != nil {
		return "", "", err
	}
	defer func() { cancel(); <-p.Done }()
	if err := p.WaitReady(selftestTimeout); err != nil {
		<-p.Done
		if p.Err != nil {
			err = p.Err
		}
		return "", p.Stderr(), err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case line, ok := <-p.Lines:
			if !ok {
				<-p.Done
				if err := p.Err; err != nil {
					return "", p.Stderr(), err
				}
				return "", p.Stderr(), errors.New("printed nothing")
			}
			<-p.Done // --count 1: it exits by itself (or at the timeout)
			return line, p.Stderr(), nil
		case <-tick.C:
			poke()
		case <-ctx.Done():
			return "", p.Stderr(), fmt.Errorf("no event within %s", selftestTimeout)
		}
	}
}

// attachUsed finds "attach: using X" in a command's stderr.
func attachUsed(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if _, rest, ok := strings.Cut(line, "attach: using "); ok {
			return rest
		}
	}
	return "?"
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
