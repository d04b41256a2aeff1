package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/bcc"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/frontend"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/runner"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/timings"
)

func newRunCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "load YOUR BPF program into the kernel, attach it, and show what it produces",
		ArgsUsage: "FILE",
		Description: `Runs a BPF program you wrote, as BCC does: FILE is a libbpf-style .bpf.c
(compiled here with clang), an already compiled .bpf.o, or a BCC program
(a .py script or BCC-dialect C). The code is loaded into the kernel as root
and runs there until you stop it: only run programs you trust.

Every program is attached where its SEC() says (kprobe, kretprobe, fentry,
fexit, tracepoint, raw_tracepoint, uprobe, uretprobe); stderr says how each
attached. What it produces is shown with no user-space code:
  - bpf_printk / bpf_trace_printk lines from trace_pipe (--format raw: as
    BCC's trace_print shows them);
  - perf event array and ring buffer events, one row per event, decoded by
    the event struct's BTF. The struct is --event-type NAME, else the one a
    marker points at (const struct event *unused_MAP __attribute__((unused));
    as libbpf-bootstrap declares), else struct MAP_event, event or data_t;
  - hash and array maps at exit and every --interval, sorted by value; a
    map named *hist* as a log2 histogram.
Numbers are shown as a person reads them, from their types and names: IP
addresses (saddr, daddr_v6, ... next to a family field) as 127.0.0.1 and ::1,
__be16/__be32 (and ports the source reads from a socket) in host order,
-2 (ENOENT) for ret/err, 10 (SIGUSR1) for sig, syscall names for syscall_id,
O_RDONLY|O_CLOEXEC for flags next to a file name, TCP_SYN_SENT for a socket's
state. --json keeps the number and adds NAME_name; --raw-values turns it off.
For a BCC script, rows follow the script's own print() of each event, trace
line or map item (a %-format, an f-string or a .format() of their fields),
maps in the order of its sorted(...); what run cannot follow is listed on
stderr, and run shows it its own way.
Ctrl-C, --duration or --count end it and detach everything (a second Ctrl-C
exits at once).

EXAMPLES:
   sudo ebpf-hello run hello.bpf.c                      # bpf_printk lines
   sudo ebpf-hello run opensnoop.bpf.c --json -n 10     # ten events as JSON
   sudo ebpf-hello run execs.bpf.o --set targ_pid=1234  # a const volatile filter
   sudo ebpf-hello run counts.bpf.c --interval 1s       # a map, every second
   ebpf-hello run execs.bpf.c --params                  # what --set can change
   sudo ebpf-hello run hello.py                         # the tutorial's BCC script
   sudo ebpf-hello run hello2.py --src hello2.c --explain  # where its rows come from, no user-space code
   sudo ebpf-hello run lesson.bpf.c --check             # would it run on this machine? (nothing is read)
   ebpf-hello run hello.py --emit-object hello.bpf.o    # compile only: for a machine without clang
   sudo ebpf-hello run hello.bpf.o                      #   ... which then runs it as 'run hello.py' does`,
		Flags: append(append([]cli.Flag{
			&cli.StringSliceFlag{Name: "set", Usage: "set the const volatile global `NAME=VALUE` before loading (checked against its type)"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, Usage: "print maps every `D` as well as at exit"},
			&cli.BoolFlag{Name: "json", Usage: "events, lines and map items as JSON lines"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "trace_pipe lines: table (default), raw (as BCC's trace_print), fields or json"},
			&cli.StringFlag{Name: "event-type", Usage: "the `STRUCT` the perf/ring buffer events are"},
			&cli.IntFlag{Name: "pages", Usage: "perf buffer size per CPU, in `PAGES` (a power of two; default: room for 8192 events, at least 64 pages)"},
			&cli.StringSliceFlag{Name: "map-size", Usage: "set map `NAME=N`'s max_entries before loading (bytes for a ring buffer), as a loader would; maps declared without one get 10240"},
			&cli.BoolFlag{Name: "all-maps", Usage: "also print maps that hold the program's state (entries it deletes, such as start times; one-slot scratch buffers), hidden by default"},
			&cli.BoolFlag{Name: "raw-values", Usage: "print every number as it is: no IP addresses, host-order ports or errno, signal, syscall, open flag and TCP state names"},
			&cli.BoolFlag{Name: "check", Usage: "compile, load (the verifier runs) and attach every program as run would, detach at once, and report how each attached and what the program needs of the kernel (since which Linux); exit 0 only if it would run here (--json too)"},
			&cli.BoolFlag{Name: "explain", Usage: "say on stderr where each thing printed comes from: which struct the events are and how it was found, which maps print and why, how numbers are shown, which globals were set"},
			&cli.BoolFlag{Name: "timings", Usage: "say on stderr when each step ends (compile cache, clang, load and attach, first output), in ms since the start: where a slow first run spends its time"},
			&cli.BoolFlag{Name: "show-self", Usage: "also show the lines and events ebpf-hello's own threads caused (by default dropped and counted: a program on write(2) would otherwise feed on run's own output)"},
			&cli.BoolFlag{Name: "params", Usage: "list the program's global variables --set can change (type, default, whether the code reads them), and stop (no root needed)"},
			&cli.StringFlag{Name: "emit-object", Usage: "compile FILE into the BPF object `OUT` and stop (no root needed); a BCC program's attach points and printing go inside it, so 'run OUT' works the same on a machine without clang"},
			&cli.StringFlag{Name: "iface", Usage: "attach XDP, tc and socket filter programs to network interface `NAME` (detached at exit)"},
			&cli.IntFlag{Name: "freq", Usage: "run perf_event programs (SEC(\"perf_event\"), a profiler's) `HZ` times a second on each CPU, on a cpu-clock event (default 49)"},
			&cli.StringFlag{Name: "arch", Usage: "with --emit-object: compile for `ARCH` (amd64 or x86_64, arm64 or aarch64; default this machine's): its kprobe registers and syscall names, e.g. for an arm64 VM"},
		}, limitFlags("events or lines")...), bccFlags()...),
		OnUsageError: usageError,
		Action:       runAction,
	}
}

func runAction(c *cli.Context) error {
	// What follows -- is a BCC script's own arguments (its sys.argv).
	args := c.Args().Slice()
	var scriptArgs []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, scriptArgs = args[:i], args[i+1:]
	}
	// Flags after FILE were moved before it by flagsFirst (main.go).
	if len(args) != 1 {
		return fmt.Errorf("want one FILE (.bpf.c, .bpf.o, .py or BCC C), got %d arguments (see '%s --help')", len(args), c.Command.HelpName)
	}
	path := args[0]
	if err := checkRunFlags(c, path); err != nil {
		return err
	}
	opts := runner.Options{
		Name:      filepath.Base(path),
		Sets:      c.StringSlice("set"),
		Format:    c.String("format"),
		JSON:      c.Bool("json"),
		EventType: c.String("event-type"),
		Count:     c.Int("count"),
		Duration:  c.Duration("duration"),
		Pages:     c.Int("pages"),
		ShowSelf:  c.Bool("show-self"),
		MapSizes:  c.StringSlice("map-size"),
		AllMaps:   c.Bool("all-maps"),
		RawValues: c.Bool("raw-values"),
		Explain:   c.Bool("explain"),
		Check:     c.Bool("check"),
		Freq:      c.Int("freq"),
		Iface:     c.String("iface"),
	}
	if c.Bool("timings") {
		opts.Timings = timings.New(c.App.ErrWriter, started)
	}
	if !c.Bool("emit") && c.String("emit-object") == "" && !c.Bool("params") {
		// Running needs root: say so before a BCC program's tracepoint
		// formats (root-only files) are read to translate it.
		if err := kernel.CheckPrivileges(); err != nil {
			return err
		}
	}
	var err error
	opts.Object, opts.Plan, err = objectOf(c, path, scriptArgs, opts.Timings, "")
	if errors.Is(err, context.Canceled) && c.Context.Err() != nil {
		return nil // Ctrl-C while compiling: a stop, not an error
	}
	if err != nil || opts.Object == nil {
		return err // nil: --emit printed the C, or --emit-object wrote the object
	}
	if c.Bool("params") {
		return printParams(c.App.Writer, opts.Object)
	}
	if len(opts.Plan.Attach) == 0 { // libbpf-style: the flags say where SEC() does not
		if opts.Attach, err = attachFlags(c); err != nil {
			return err
		}
	} else if flags, _ := attachFlags(c); strings.HasSuffix(path, ".o") && len(flags) > 0 {
		return fmt.Errorf("%s carries its attach points (run --emit-object of a BCC program): give attach flags when compiling it", textsafe.Escape(path))
	}
	if d := c.Duration("interval"); d > 0 {
		opts.Plan.Interval = d
	}
	err = runner.Run(c.Context, opts, c.App.Writer, c.App.ErrWriter)
	return retryOtherCPU(c, path, scriptArgs, opts, err)
}

// retryOtherCPU runs FILE again compiled with compile.OtherCPU when the
// verifier rejected the first object because it lost track of a bound:
// clang's code for the same bounds check differs by -mcpu, and the
// verifier follows one and not the other (clang 14: libbpf-tools'
// softirqs loads only as v3, its cpufreq only as v2). What that run says
// is held until it is attached: if it is rejected too, the learner sees
// the first rejection (err) alone.
func retryOtherCPU(c *cli.Context, path string, scriptArgs []string, opts runner.Options, err error) error {
	var rejected *probe.VerifierError
	lost := ""
	if errors.As(err, &rejected) {
		lost = boundsRejection(rejected)
	}
	if lost == "" || strings.HasSuffix(path, ".o") || opts.Check {
		return err
	}
	if _, v, verr := kernel.Release(); verr != nil || !v.AtLeast(5, 1) {
		return err // compiled for v1 already: nothing older to try
	}
	obj, _, err2 := objectOf(c, path, scriptArgs, opts.Timings, compile.OtherCPU)
	if err2 != nil {
		return err
	}
	opts.Object = obj
	held := newHeldOutput(c.App.Writer, c.App.ErrWriter, fmt.Sprintf(
		"ebpf-hello: note: the verifier rejected clang's -mcpu=%s code (%s); compiled again with -mcpu=%s\n",
		compile.DefaultCPU, textsafe.Escape(strings.TrimSpace(lost)), compile.OtherCPU))
	if err2 = runner.Run(c.Context, opts, held.out, held.err); held.released() {
		return err2
	}
	return err
}

// boundsRejection is the verifier's line saying it lost track of a bound
// (an index, an offset), which clang's -mcpu changes, or "" for another
// rejection (a check the program lacks).
func boundsRejection(e *probe.VerifierError) string {
	for _, line := range e.Tail {
		for _, sign := range []string{"unbounded min value", "unbounded memory access", "min value is negative",
			"min value is outside of the allowed memory range", "max value is outside of the allowed memory range",
			"invalid variable-offset", "invalid access to map value"} {
			if strings.Contains(line, sign) {
				return line
			}
		}
	}
	return ""
}

// objectOf gives FILE as a BPF object and the plan that came with it
// (internal/frontend reads, translates and compiles it). With --emit (BCC
// programs) it prints the generated C instead, and with --emit-object it
// writes the object to a file: both return a nil object. cpu is clang's
// -mcpu ("": the compiler package's choice for this kernel).
func objectOf(c *cli.Context, path string, scriptArgs []string, tlog *timings.Log, cpu string) ([]byte, runplan.Plan, error) {
	in := frontend.Input{
		Path: path, ScriptArgs: scriptArgs, Src: c.String("src"), CPU: cpu,
		EmitC: c.Bool("emit"), Elsewhere: c.String("emit-object") != "",
		Warnings: c.App.ErrWriter, Timings: tlog,
	}
	in.Arch, _ = goarchOf(c.String("arch")) // checked by checkRunFlags
	var err error
	if in.Attach, err = attachFlags(c); err != nil {
		return nil, runplan.Plan{}, err
	}
	out, err := frontend.Prepare(c.Context, in)
	switch {
	case err != nil:
		return nil, out.Plan, err
	case in.EmitC:
		_, err := c.App.Writer.Write(out.C)
		return nil, runplan.Plan{}, err
	case in.Elsewhere:
		return nil, out.Plan, writeObject(c.String("emit-object"), out.Object)
	}
	return out.Object, out.Plan, nil
}

// attachFlags are the attach flags (--uprobe LIB:SYM=PROG and the like)
// as attach points, for --arch's architecture (sys_X names its syscall
// wrapper).
func attachFlags(c *cli.Context) ([]runplan.Attach, error) {
	arch, err := goarchOf(c.String("arch"))
	if err != nil {
		return nil, err
	}
	var out []runplan.Attach
	for _, f := range bccAttachFlags {
		for _, v := range c.StringSlice(f.flag) {
			a, err := bcc.ParseAttach(f.kind, v, cmp.Or(arch, runtime.GOARCH))
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// goarchOf is the GOARCH an --arch value names (both Go's and the
// kernel's spelling).
func goarchOf(arch string) (string, error) {
	switch arch {
	case "":
		return "", nil // this machine's
	case "amd64", "x86_64", "x86":
		return "amd64", nil
	case "arm64", "aarch64":
		return "arm64", nil
	}
	return "", fmt.Errorf("invalid --arch %q: amd64 (x86_64) or arm64 (aarch64)", textsafe.Escape(arch))
}

// writeObject writes obj to path whole or not at all (a half-written
// object must not be loaded later).
func writeObject(path string, obj []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--emit-object: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	if _, err := tmp.Write(obj); err != nil {
		tmp.Close()
		return fmt.Errorf("--emit-object: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("--emit-object: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--emit-object: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--emit-object: %w", err)
	}
	return nil
}

// checkRunFlags checks every flag's syntax whatever FILE is, and refuses
// in one line a flag that cannot apply to FILE: a flag silently ignored
// makes a learner believe it did something.
func checkRunFlags(c *cli.Context, path string) error {
	if c.IsSet("pages") && (c.Int("pages") <= 0 || c.Int("pages")&(c.Int("pages")-1) != 0) {
		return fmt.Errorf("invalid --pages %d: must be a power of two", c.Int("pages"))
	}
	if f := c.Int("freq"); c.IsSet("freq") && (f < 1 || f > 100000) {
		return fmt.Errorf("invalid --freq %d: 1 to 100000 samples a second", f)
	}
	if c.Int("count") < 0 || c.Duration("duration") < 0 || c.Duration("interval") < 0 {
		return fmt.Errorf("--count, --duration and --interval must not be negative")
	}
	if d := c.Duration("interval"); d > 0 && d < runner.MinInterval {
		return fmt.Errorf("--interval %v is too short: maps are printed at most every %v", d, runner.MinInterval)
	}
	if f := c.String("format"); f != "" {
		if _, err := output.ParsePrintkFormat(f); err != nil {
			return err
		}
	}
	for _, set := range c.StringSlice("set") {
		if name, _, ok := strings.Cut(set, "="); !ok || name == "" {
			return fmt.Errorf("invalid --set %q: want NAME=VALUE", set)
		}
	}
	if _, err := attachFlags(c); err != nil {
		return err
	}
	if c.Bool("params") && (c.Bool("emit") || c.String("emit-object") != "") {
		return fmt.Errorf("--params lists the program's settings: not with --emit or --emit-object")
	}
	if c.Bool("emit") && c.String("emit-object") != "" {
		return fmt.Errorf("--emit and --emit-object: choose one (the C, or the compiled object)")
	}
	if a := c.String("arch"); a != "" {
		if _, err := goarchOf(a); err != nil {
			return err
		}
		if c.String("emit-object") == "" {
			return fmt.Errorf("--arch is for --emit-object: an object for another architecture does not run here")
		}
	}
	if strings.HasSuffix(path, ".o") {
		for _, flag := range []string{"src", "emit", "emit-object"} {
			if c.IsSet(flag) {
				return fmt.Errorf("--%s does not apply to %s: it is compiled already (--%s is for C: .bpf.c, BCC C or .py)", flag, textsafe.Escape(path), flag)
			}
		}
	}
	return nil
}
