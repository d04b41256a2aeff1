package tracepipe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Line
	}{
		{"the tutorial's first line: unknown comm, 5-character flags",
			`           <...>-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "<...>", PID: 4792, CPU: 1, Flags: "d...1", Timestamp: "3129.123047", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"the tutorial's second line: a comm with slashes and a dash",
			` /usr/local/clou-1583    [000] d...1  3129.167824: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "/usr/local/clou", PID: 1583, CPU: 0, Flags: "d...1", Timestamp: "3129.167824", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"a comm with a space and a colon, pre-5.9 label 0",
			`    tmux: server-27663 [005] ...3 20803.072455: 0: i = -14`,
			Line{Parsed: true, Task: "tmux: server", PID: 27663, CPU: 5, Flags: "...3", Timestamp: "20803.072455", Function: "0", Message: "i = -14"}},
		{"a pre-5.9 address label",
			`  minimal_legacy-52030 [001] .... 491227.784078: 0x00000001: BPF triggered from PID 52030.`,
			Line{Parsed: true, Task: "minimal_legacy", PID: 52030, CPU: 1, Flags: "....", Timestamp: "491227.784078", Function: "0x00000001", Message: "BPF triggered from PID 52030."}},
		{"softirq flags and colons in the message",
			`            node-1254811 [007] ..s1 8737831.671074: 0: Got IP packet: tot_len: 52, ttl: 64`,
			Line{Parsed: true, Task: "node", PID: 1254811, CPU: 7, Flags: "..s1", Timestamp: "8737831.671074", Function: "0", Message: "Got IP packet: tot_len: 52, ttl: 64"}},
		{"a comm with dashes and digits",
			`  kworker/0:1-12-3       [000] ..... 12.345678: tracing_mark_write: hello from trace_marker`,
			Line{Parsed: true, Task: "kworker/0:1-12", PID: 3, CPU: 0, Flags: ".....", Timestamp: "12.345678", Function: "tracing_mark_write", Message: "hello from trace_marker"}},
		{"record-tgid layout",
			`            bash-1234    (   1230) [000] d..21  100.000001: bpf_trace_printk: with record-tgid on`,
			Line{Parsed: true, Task: "bash", PID: 1234, TGID: 1230, CPU: 0, Flags: "d..21", Timestamp: "100.000001", Function: "bpf_trace_printk", Message: "with record-tgid on"}},
		{"record-tgid with an unknown tgid",
			`            bash-1234    (-------) [000] ....  100.000002: bpf_trace_printk: tgid unknown`,
			Line{Parsed: true, Task: "bash", PID: 1234, CPU: 0, Flags: "....", Timestamp: "100.000002", Function: "bpf_trace_printk", Message: "tgid unknown"}},
		{"an empty label from old kernels",
			`            perl-2211  [002] d... 5.000001: : ARG 1`,
			Line{Parsed: true, Task: "perl", PID: 2211, CPU: 2, Flags: "d...", Timestamp: "5.000001", Function: "", Message: "ARG 1"}},
		{"a counter clock prints a bare integer",
			`             cat-99      [001] ....  123456789: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "cat", PID: 99, CPU: 1, Flags: "....", Timestamp: "123456789", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"another tracer's event",
			`          <idle>-0       [001] d..2.   55.100000: sched_switch: prev_comm=swapper/1 prev_pid=0 ==> next_comm=cat next_pid=7`,
			Line{Parsed: true, Task: "<idle>", PID: 0, CPU: 1, Flags: "d..2.", Timestamp: "55.100000", Function: "sched_switch", Message: "prev_comm=swapper/1 prev_pid=0 ==> next_comm=cat next_pid=7"}},
		{"a message that itself looks like a line",
			`             cat-5 [000] .... 1.000000: bpf_trace_printk: x-12 [003] d... 2.0: y`,
			Line{Parsed: true, Task: "cat", PID: 5, CPU: 0, Flags: "....", Timestamp: "1.000000", Function: "bpf_trace_printk", Message: "x-12 [003] d... 2.0: y"}},
		{"a comm that looks like a task, pid, cpu, flags and timestamp (prctl PR_SET_NAME)",
			`  x-1 [0] . 9: y-4242    [002] d...1  77.000001: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "x-1 [0] . 9: y", PID: 4242, CPU: 2, Flags: "d...1", Timestamp: "77.000001", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"a comm of 15 dashes and digits",
			` 1-2-3-4-5-6-7-8-9       [000] ....  1.000000: bpf_trace_printk: x`,
			Line{Parsed: true, Task: "1-2-3-4-5-6-7-8", PID: 9, CPU: 0, Flags: "....", Timestamp: "1.000000", Function: "bpf_trace_printk", Message: "x"}},
		{"a line not laid out by the kernel is not split (comm not in 16 columns)",
			`x-1 [0] . 9: y-4242    [002] d...1  77.000001: bpf_trace_printk: Hello, World!`, Line{}},
		{"PREEMPT_RT before 6.12 (Debian's 5.10-rt, 6.1-rt): 7-character flags",
			`             cat-1234    [001] d...211  1234.567890: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "cat", PID: 1234, CPU: 1, Flags: "d...211", Timestamp: "1234.567890", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"PREEMPT_RT before 6.12, in an irq with a reschedule pending, record-tgid on",
			`          <idle>-0       (      0) [009] dn.h2..   555.400822: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "<idle>", PID: 0, CPU: 9, Flags: "dn.h2..", Timestamp: "555.400822", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"PREEMPT_RT before 6.12, a lazy reschedule pending",
			`     kworker/1:2-87      [001] .nL.1.1    42.000100: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "kworker/1:2", PID: 87, CPU: 1, Flags: ".nL.1.1", Timestamp: "42.000100", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"6.12-rt and later: 5 characters, a lazy reschedule letter",
			`             cat-1234    [003] dl..1  1234.567890: bpf_trace_printk: Hello, World!`,
			Line{Parsed: true, Task: "cat", PID: 1234, CPU: 3, Flags: "dl..1", Timestamp: "1234.567890", Function: "bpf_trace_printk", Message: "Hello, World!"}},
		{"a lost-events marker", `CPU:1 [LOST 42 EVENTS]`, Line{CPU: 1, LostEvents: 42}},
		{"a plain word is not a line", `hello`, Line{}},
		{"an empty string is not a line", ``, Line{}},
		{"brackets without the rest are not a line", `foo [bar]`, Line{}},
		{"a missing pid is not a line", `cat [000] .... 1.0: bpf_trace_printk: x`, Line{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Raw = tt.line
			if got := Parse(tt.line + "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.line, got, tt.want)
			}
		})
	}
}

func TestIsBPFPrintk(t *testing.T) {
	for label, want := range map[string]bool{
		"bpf_trace_printk": true, "0": true, "0x00000001": true, "0xffffffffc0a1b2c3": true,
		"tracing_mark_write": false, "sched_switch": false, "0x": false, "0xzz": false, "": false,
	} {
		if got := (Line{Function: label}).IsBPFPrintk(); got != want {
			t.Errorf("IsBPFPrintk(%q) = %v, want %v", label, got, want)
		}
	}
}

// rtNoResched: '.' in need-resched of the RT patch's layout.
const rtNoResched = "no reschedule pending (or one with PREEMPT_NEED_RESCHED set: this layout shows that as '.' too)"

func TestExplainFlags(t *testing.T) {
	tests := []struct {
		flags string
		want  []string
	}{
		// Mainline (5 characters; 4 before the migrate-disable depth).
		{"d...1", []string{"irqs off", "no reschedule pending", "process context", "preempt depth 0", "migrate-disable depth 1"}},
		{"..s1", []string{"irqs on", "no reschedule pending", "in a soft irq", "preempt depth 1"}},
		{"dNh2", []string{"irqs off", "reschedule pending (TIF_NEED_RESCHED, PREEMPT_NEED_RESCHED)", "in a hard irq", "preempt depth 2"}},
		{"....", []string{"irqs on", "no reschedule pending", "process context", "preempt depth 0"}},
		// Mainline with lazy preemption (6.12 and later, PREEMPT_RT included).
		{"dl..1", []string{"irqs off", "lazy reschedule pending (TIF_NEED_RESCHED_LAZY)", "process context", "preempt depth 0", "migrate-disable depth 1"}},
		{"DLs1.", []string{"irqs and bottom halves off", "lazy reschedule pending (TIF_NEED_RESCHED_LAZY, PREEMPT_NEED_RESCHED)", "in a soft irq", "preempt depth 1", "migrate-disable depth 0"}},
		{".B.2.", []string{"irqs on", "reschedule pending (TIF_NEED_RESCHED, TIF_NEED_RESCHED_LAZY, PREEMPT_NEED_RESCHED)", "process context", "preempt depth 2", "migrate-disable depth 0"}},
		{"bb...", []string{"bottom halves off", "reschedule pending (TIF_NEED_RESCHED, TIF_NEED_RESCHED_LAZY)", "process context", "preempt depth 0", "migrate-disable depth 0"}},
		// PREEMPT_RT before 6.12 (the out-of-tree patch): 7 characters.
		{"d...211", []string{"irqs off", rtNoResched, "no lazy reschedule pending", "process context", "preempt depth 2", "lazy-preempt depth 1", "migrate-disable depth 1"}},
		{"dn.h2..", []string{"irqs off", "reschedule pending (TIF_NEED_RESCHED)", "no lazy reschedule pending", "in a hard irq", "preempt depth 2", "lazy-preempt depth 0", "migrate-disable depth 0"}},
		{".nL.1.1", []string{"irqs on", "reschedule pending (TIF_NEED_RESCHED)", "lazy reschedule pending (TIF_NEED_RESCHED_LAZY)", "process context", "preempt depth 1", "lazy-preempt depth 0", "migrate-disable depth 1"}},
		{"...s1..", []string{"irqs on", rtNoResched, "no lazy reschedule pending", "in a soft irq", "preempt depth 1", "lazy-preempt depth 0", "migrate-disable depth 0"}},
	}
	for _, tt := range tests {
		if got := ExplainFlags(tt.flags); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ExplainFlags(%q) = %q, want %q", tt.flags, got, tt.want)
		}
	}
}

// TestExplainFlagsOfRealLines: the flags of whole trace_pipe lines, as each
// layout's kernel prints them, are explained after parsing.
func TestExplainFlagsOfRealLines(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string
	}{
		{`             cat-1234    [001] d...211  1234.567890: bpf_trace_printk: Hello, World!`,
			[]string{"irqs off", rtNoResched, "no lazy reschedule pending", "process context", "preempt depth 2", "lazy-preempt depth 1", "migrate-disable depth 1"}},
		{`             cat-1234    [001] d..21  1234.567890: bpf_trace_printk: Hello, World!`,
			[]string{"irqs off", "no reschedule pending", "process context", "preempt depth 2", "migrate-disable depth 1"}},
	} {
		l := Parse(tt.line)
		if got := ExplainFlags(l.Flags); !l.Parsed || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: parsed %v, flags %q explained as %q, want %q", tt.line, l.Parsed, l.Flags, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`           <...>-4792    [001] d...1  3129.123047: bpf_trace_printk: Hello, World!`)
	f.Add(`CPU:1 [LOST 42 EVENTS]`)
	f.Add(`    tmux: server-27663 [005] ...3 20803.072455: 0: i = -14`)
	f.Add(`  x-1 [0] . 9: y-4242    [002] d...1  77.000001: bpf_trace_printk: Hello, World!`)
	f.Fuzz(func(t *testing.T, s string) {
		l := Parse(s)
		if l.Raw != strings.TrimRight(s, "\r\n") {
			t.Errorf("Raw %q, want the input %q", l.Raw, s)
		}
	})
}

// kernelLine formats a line as the kernel's trace_print_context and
// trace_print_lat_fmt do: "%16s-%-7d ", "(%7d) " with record-tgid,
// "[%03d] ", the flags, " %5lu.%06lu: ", then the event's own text.
func kernelLine(comm string, pid, tgid, cpu int, flags string, sec, usec uint32, function, msg string) string {
	tg := ""
	if tgid > 0 {
		tg = fmt.Sprintf("(%7d) ", tgid)
	}
	// %16s pads bytes in C, runes in Go: pad by hand.
	padded := strings.Repeat(" ", max(0, 16-len(comm))) + comm
	return fmt.Sprintf("%s-%-7d %s[%03d] %s %5d.%06d: %s: %s", padded, pid, tg, cpu, flags, sec, usec, function, msg)
}

// FuzzParseRoundTrip: a line the kernel formats from any comm (at most 15
// bytes, no newline: the kernel keeps 15, and a newline would end the line),
// pid, tgid, cpu, flags, timestamp, function and message parses back to
// the same fields.
func FuzzParseRoundTrip(f *testing.F) {
	f.Add("x-1 [0] . 9: y", uint32(4242), uint32(0), uint16(2), uint8(7), uint32(77), uint32(1), uint8(0), "Hello, World!")
	f.Add("<...>", uint32(4792), uint32(4790), uint16(1), uint8(0), uint32(3129), uint32(123047), uint8(1), "x-12 [003] d... 2.0: y")
	f.Add("tmux: server", uint32(27663), uint32(0), uint16(5), uint8(3), uint32(20803), uint32(72455), uint8(2), "i = -14")
	f.Add("-1-2-3-4-5-6-7-", uint32(8), uint32(0), uint16(0), uint8(1), uint32(1), uint32(0), uint8(3), "")
	functions := []string{"bpf_trace_printk", "tracing_mark_write", "0", "0x00000001", "sched_switch"}
	flagSets := []string{"d...1", "....", "dNh2.", "..s1", "X.Z.0", "Dps9.", "bLH.1", "d..21", "d...211", "dn.h2..", ".nL.1.1"}
	f.Fuzz(func(t *testing.T, comm string, pid, tgid uint32, cpu uint16, flagsIdx uint8, sec, usec uint32, fnIdx uint8, msg string) {
		comm = strings.TrimLeft(comm, " ") // leading spaces are lost in the padding
		if len(comm) > 15 || strings.ContainsAny(comm, "\n\r") || strings.ContainsAny(msg, "\n\r") {
			t.Skip()
		}
		if comm == "" {
			comm = "<...>"
		}
		p, tg := int(pid%4194305), int(tgid%4194305)
		flags := flagSets[int(flagsIdx)%len(flagSets)]
		fn := functions[int(fnIdx)%len(functions)]
		ts := fmt.Sprintf("%5d.%06d", sec, usec%1000000)
		line := kernelLine(comm, p, tg, int(cpu), flags, sec, usec%1000000, fn, msg)
		want := Line{Raw: line, Parsed: true, Task: comm, PID: p, TGID: tg, CPU: int(cpu), Flags: flags,
			Timestamp: strings.TrimLeft(ts, " "), Function: fn, Message: msg}
		if got := Parse(line + "\n"); !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q)\n got %+v\nwant %+v", line, got, want)
		}
	})
}

// TestReaderOnTheRealTracePipe writes a unique line to trace_marker and
// reads it back from trace_pipe; then a cancelled context stops Next.
func TestReaderOnTheRealTracePipe(t *testing.T) {
	testenv.RequireRoot(t)
	root, err := tracefs.Ensure(nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(filepath.Join(root, "trace_pipe"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	marker := fmt.Sprintf("tracepipe test %d", time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(root, "trace_marker"), []byte(marker), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testenv.Patience)
	defer cancel()
	for {
		raw, err := r.Next(ctx)
		if err != nil {
			t.Fatalf("marker not read back: %v", err)
		}
		l := Parse(raw)
		if l.Message != marker {
			continue // other programs write to trace_pipe too
		}
		if !l.Parsed || l.Function != "tracing_mark_write" || l.PID <= 0 { // the writing thread: its tid, not our pid
			t.Errorf("marker line parsed as %+v", l)
		}
		break
	}

	stopped, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := r.Next(stopped); err != nil {
				done <- err
				return
			}
		}
	}()
	stop()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Next returned %v after cancel, want context.Canceled", err)
		}
	case <-time.After(testenv.Patience):
		t.Fatalf("Next did not return within %s of cancel", testenv.Patience)
	}
}
