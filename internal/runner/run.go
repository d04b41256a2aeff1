package runner

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfuse"
	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/kernel"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/pidns"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
	"github.com/ebpf-hello/ebpf-hello/internal/pyfmt"
	"github.com/ebpf-hello/ebpf-hello/internal/ready"
	"github.com/ebpf-hello/ebpf-hello/internal/runplan"
	"github.com/ebpf-hello/ebpf-hello/internal/samples"
	"github.com/ebpf-hello/ebpf-hello/internal/self"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
	"github.com/ebpf-hello/ebpf-hello/internal/timings"
	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
	"github.com/ebpf-hello/ebpf-hello/internal/tracepipe"
)

// Options are the settings of one run.
type Options struct {
	Name      string // the object's name, for messages
	Object    []byte // the compiled BPF object
	Plan      runplan.Plan
	Sets      []string // --set NAME=VALUE
	Format    string   // trace_pipe lines: printk's formats; "" is table
	JSON      bool     // events and maps as JSON lines
	EventType string   // --event-type: the struct of every buffer's events
	Count     int      // stop after this many events or lines (0: no limit)
	Duration  time.Duration
	Pages     int          // perf buffer pages per CPU (0: sized by the event, see defaultPages)
	MapSizes  []string     // --map-size NAME=N
	AllMaps   bool         // show maps that hold the program's state too
	RawValues bool         // numbers as they are (no btfview.MakeReadable)
	Timings   *timings.Log // run --timings: each step's end (nil: not said)
	Explain   bool         // say where each printed thing comes from (explain.go)
	Check     bool         // load, attach, detach and report (check.go): run nothing
	// Iface is the network interface XDP, tc and socket filter programs
	// attach to (--iface).
	Iface string
	// Freq is how many times a second perf_event programs run on each
	// CPU (0: probe.DefaultFreq).
	Freq int
	// Attach are the attach flags' (--uprobe BIN:SYM=PROG...) for a
	// libbpf-style object: where its programs go instead of their SEC().
	Attach []runplan.Attach
	// ShowSelf keeps the lines and events ebpf-hello's own threads caused
	// (by default they are dropped and counted: see self.go).
	ShowSelf bool
}

// MinInterval is the shortest interval at which maps are printed: more
// often is a busy loop of output, not something a person reads. A plan's
// shorter interval is raised to it (with a warning); cmd refuses a shorter
// --interval.
const MinInterval = 100 * time.Millisecond

// Run loads the object, attaches it, and shows its output until ctx ends,
// Count events were shown or Duration passed.
//
// Text from the object, its plan or the file system is escaped
// (textsafe) wherever it is printed; stderr lines and errors are one line
// each, whatever a name inside them holds.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) (err error) {
	defer func() { err = oneLineError(err) }()
	notify := func(msg string) { fmt.Fprintln(stderr, "ebpf-hello: "+oneLine(msg)) }
	var attachLines []string // --check: how each program attached, for its report
	if opts.Check {
		say := notify
		notify = func(msg string) {
			if how, ok := strings.CutPrefix(msg, "attach: "); ok {
				attachLines = append(attachLines, oneLine(how))
				return
			}
			say(msg)
		}
	}
	if err := kernel.CheckPrivileges(); err != nil {
		return err
	}
	name := textsafe.Escape(opts.Name)
	obj, err := btfview.Load(opts.Object)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	spec := probe.Spec{Name: name, Object: opts.Object, Globals: map[string]any{}}
	if err := setGlobals(obj, opts, spec.Globals); err != nil {
		return err
	}
	progs, err := probe.Inspect(spec)
	if err != nil {
		return err
	}
	maps, err := obj.Maps()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var sizeNotes []string
	spec.MapSizes, spec.MapValueSizes, sizeNotes, err = mapSizes(maps, opts.MapSizes)
	if err != nil {
		return err
	}
	for _, n := range sizeNotes {
		notify("note: " + n)
	}
	outputs := opts.Plan.Outputs
	var results []btfview.Global    // plain globals the program writes, printed with the maps
	if len(opts.Plan.Attach) == 0 { // libbpf-style: its loader would read them
		if globals, err := obj.Globals(); err == nil {
			results, _ = resultGlobals(opts.Object, globals) // unreadable code: none shown
		}
	}
	if len(outputs) == 0 {
		uses, err := bpfuse.Maps(opts.Object)
		if err != nil {
			uses = nil // unreadable code: show every map
		}
		var hidden []string
		outputs, hidden = inferOutputs(progs, maps, uses, opts.AllMaps)
		if len(hidden) > 0 {
			notify("not shown, the program's state rather than results: " + strings.Join(hidden, ", ") + "; --all-maps shows them")
		}
	}
	for _, note := range opts.Plan.Notes {
		notify("note: " + textsafe.Escape(note))
	}
	if opts.Explain {
		for _, line := range explain(opts, obj, progs, maps, outputs, spec.Globals) {
			notify("explain: " + line)
		}
	}
	interval, raised := mapInterval(opts.Plan.Interval)
	if raised && showsMaps(outputs) {
		notify(fmt.Sprintf("warning: the plan's interval %v is too short to read: maps are printed every %v", opts.Plan.Interval, interval))
	}

	root, err := tracefs.Ensure(notify)
	if err != nil {
		notify(fmt.Sprintf("tracefs unavailable (%v): tracepoints cannot be used", err))
		root = ""
	}
	var pipe *tracepipe.Pipe
	if !opts.Check { // --check reads nothing: trace_pipe takes one reader
		if pipe, outputs, err = openPipe(root, outputs, notify); err != nil {
			return err
		}
	}
	if pipe != nil {
		defer pipe.Close()
	}
	for _, o := range outputs {
		if o.Kind == runplan.Events {
			pages := opts.Pages
			if pages == 0 { // run's size, or the script's page_cnt when larger
				pages = max(defaultPages(obj, o, opts), scriptPages(o.Pages, notify))
			}
			spec.Buffers = append(spec.Buffers, probe.Buffer{Map: o.Map, Pages: pages})
		}
	}

	opts.Timings.Mark("object read: its BTF, programs and maps")
	loaded, err := attach(spec, opts, progs, root, notify)
	if opts.Check {
		report := newCheckReport(opts, maps, progs, root)
		report.Attach, report.Runs = attachLines, err == nil
		if err != nil {
			report.Error = oneLine(err.Error())
		} else {
			loaded.Close() // detached before anything is read
		}
		if werr := report.write(stdout, opts.JSON); werr != nil {
			return werr
		}
		return err
	}
	if err != nil {
		return err
	}
	defer loaded.Close()
	opts.Timings.Mark("loaded (the verifier passed) and attached")
	if err := writeMaps(loaded, opts.Plan.MapWrites, notify); err != nil {
		return err
	}
	tracepoints := map[string]string{}
	for _, h := range loaded.Attached {
		if h.Kind == probe.Tracepoint {
			tracepoints[h.Program] = h.Target
		}
	}
	checkRecords(obj, tracepoints, root, notify)

	s := &show{opts: opts, obj: obj, loaded: loaded, out: &lockedWriter{w: stdout}, notify: notify, misfit: map[string]bool{}, interval: interval, results: results}
	s.stacks = newStacks(maps, loaded)
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	ctx, s.stop = context.WithCancel(ctx)
	defer s.stop()
	if !opts.JSON { // with --json every stdout line is a JSON object
		for _, line := range opts.Plan.Header {
			fmt.Fprintln(s.out, textsafe.Message(line)) // the script's own line breaks and tabs stay
		}
	}
	if pipe != nil {
		if err := pipe.Mark(); err != nil {
			notify(fmt.Sprintf("warning: cannot write trace_marker (%v): older lines in trace_pipe will be shown too", err))
		}
	}
	if _, child := pidns.Current(); child {
		notify("note: in a PID namespace (a container): the program sees the host's PIDs, not this namespace's, and run cannot tell which lines and events are its own: they are shown")
	}
	if loaded.HasIters() {
		// An iterator runs when read: what it writes is the output, once.
		only := onlyIters(loaded)
		if only { // attached: nothing else to wait for
			if err := ready.Announce(stderr); err != nil {
				return err
			}
		}
		if err := s.printIters(); err != nil {
			return err
		}
		if only {
			return nil
		}
	}
	notify("running " + name + "; Ctrl-C to end")
	if err := ready.Announce(stderr); err != nil {
		return err
	}
	return s.run(ctx, outputs, pipe)
}

// printIters reads every iterator once and prints what it wrote: names of
// tasks and files (anyone's) escaped, line breaks and tabs kept.
func (s *show) printIters() error {
	var buf bytes.Buffer
	if err := s.loaded.ReadIters(&buf); err != nil {
		return err
	}
	if name := s.opts.Plan.EventTypes[runplan.SeqWrite]; name != "" {
		return s.printIterRecords(buf.Bytes(), name)
	}
	text := buf.String()
	s.notify(fmt.Sprintf("iterator: %d bytes written, read once", len(text)))
	if !s.opts.JSON {
		_, err := io.WriteString(s.out, textsafe.Message(text))
		return err
	}
	if text == "" {
		return nil
	}
	var b []byte // one object per line, its text escaped as names are
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		b = textsafe.AppendJSON(append(b, `{"line":`...), textsafe.Escape(line))
		b = append(b, "}\n"...)
	}
	_, err := s.out.Write(b)
	return err
}

// printIterRecords prints what an iterator wrote with bpf_seq_write as
// records of struct name (libbpf-bootstrap's task_iter), one row each, as
// events are printed (stack buffers named too).
func (s *show) printIterRecords(data []byte, name string) error {
	l, err := s.obj.Struct(name)
	if err != nil {
		return fmt.Errorf("the iterator writes struct %s: %w", textsafe.Escape(name), err)
	}
	if l.Size == 0 || len(data)%l.Size != 0 {
		return fmt.Errorf("the iterator wrote %d bytes: not whole records of struct %s (%d bytes)", len(data), textsafe.Escape(name), l.Size)
	}
	s.notify(fmt.Sprintf("iterator: %d records of struct %s (bpf_seq_write), read once", len(data)/l.Size, textsafe.Escape(name)))
	s.makeReadable(l)
	var out bytes.Buffer
	p := btfview.NewEventPrinter(&out, l, s.opts.JSON)
	var stackFields []string
	if !s.opts.RawValues {
		stackFields = stackBuffers(l)
	}
	for off := 0; off < len(data); off += l.Size {
		rec, err := l.Decode(data[off : off+l.Size])
		if err != nil {
			return err
		}
		if len(stackFields) > 0 {
			s.stacks.nameBuffers(rec, stackFields)
		}
		if err := p.PrintRecord(rec); err != nil {
			return err
		}
	}
	_, err = s.out.Write(out.Bytes())
	return err
}

// onlyIters: every hook attached is an iterator, so nothing comes later.
func onlyIters(l *probe.Loaded) bool {
	for _, h := range l.Attached {
		if h.Kind != probe.Iter {
			return false
		}
	}
	return true
}

// setGlobals parses --set and the plan's globals by the variables' BTF types.
func setGlobals(obj *btfview.Object, opts Options, into map[string]any) error {
	settings := opts.Sets
	for name, value := range opts.Plan.Globals {
		settings = append(settings, name+"="+value)
	}
	if len(settings) == 0 {
		return nil
	}
	globals, err := obj.Globals()
	if err != nil {
		return err
	}
	for i, s := range settings {
		g, b, err := btfview.ParseSetting(globals, s)
		if err != nil {
			return err
		}
		// A learner's --set that cannot take effect is refused (a BCC
		// script's globals come from our own translation).
		if i < len(opts.Sets) {
			if err := obj.Settable(g); err != nil {
				return err
			}
		}
		into[g.Name] = b
	}
	return nil
}

// loaderTargets fills in what a loader would say of hooks whose SEC()
// cannot: the interface of network programs (--iface), the frequency of
// perf_event ones (--freq). wanted is copied, never changed: it may be
// the plan's own list.
func loaderTargets(wanted []runplan.Attach, opts Options) ([]runplan.Attach, error) {
	wanted = slices.Clone(wanted)
	needIface := ""
	for i, a := range wanted {
		switch a.Kind {
		case runplan.PerfEvent:
			if a.Target == "" && opts.Freq > 0 {
				wanted[i].Target = strconv.Itoa(opts.Freq)
			}
		case runplan.XDP, runplan.TC, runplan.SocketFilter:
			if opts.Iface == "" {
				needIface = a.Program
			}
			wanted[i].Target = opts.Iface + a.Target
		}
	}
	if needIface != "" {
		return nil, fmt.Errorf("program %s attaches to a network interface: say which with --iface NAME (ip link lists them)", textsafe.Escape(needIface))
	}
	return wanted, nil
}

// attach loads the object with every program attached, moving those that
// cannot attach to their fallbacks, and reports each program's way.
func attach(spec probe.Spec, opts Options, progs []probe.Program, root string, notify func(string)) (*probe.Loaded, error) {
	wanted, err := plannedAttach(opts.Plan, opts.Attach, progs)
	if err != nil {
		return nil, err
	}
	if wanted, err = loaderTargets(wanted, opts); err != nil {
		return nil, err
	}
	byName := map[string]probe.Program{}
	for _, p := range progs {
		byName[p.Name] = p
	}
	entries := make([]*entry, len(wanted))
	for i, a := range wanted {
		entries[i] = newEntry(a, root)
		entries[i].loaderChooses = len(opts.Plan.Attach) == 0 && len(wanted) > 1
	}
	for attempt, n := 0, tries(entries); attempt < n; attempt++ {
		var hooks []probe.Hook
		for _, e := range entries {
			if !e.dropped {
				hooks = append(hooks, e.hooks...)
			}
		}
		if len(hooks) == 0 {
			return nil, noneAttached(entries)
		}
		spec.Ways = []probe.Way{{Label: "run", Hooks: hooks}}
		spec.LoadOnly = tailTargets(opts.Plan.MapWrites, entries)
		l, err := probe.Load(spec, probe.Options{Tracefs: root})
		if err == nil {
			report(l, entries, notify)
			return l, nil
		}
		if err := moveFailed(err, entries, byName, root); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("no way to attach every program was found")
}

// noneAttached says why no program is left: the first left out's reason.
func noneAttached(entries []*entry) error {
	var why []string
	for _, e := range entries {
		if e.dropped && e.how != "" {
			why = append(why, fmt.Sprintf("%s: %s", textsafe.Escape(e.want.Program), e.how))
		}
	}
	switch len(why) {
	case 0:
		return errors.New("no program could attach")
	case 1:
		return fmt.Errorf("no program could attach: %s", why[0])
	}
	return fmt.Errorf("no program could attach: %s (and %d more the same way): its loader chooses the kernel functions (a tool's options name them)", why[0], len(why)-1)
}

// moveFailed moves the entries a load error blames to their fallbacks,
// or returns the error to show.
func moveFailed(err error, entries []*entry, progs map[string]probe.Program, root string) error {
	var rejected *probe.VerifierError
	var global *probe.GlobalError
	if errors.As(err, &rejected) || errors.As(err, &global) {
		return err
	}
	reason := err
	if inner := errors.Unwrap(err); inner != nil {
		reason = inner // without "--attach run: "
	}
	var hookErr *probe.HookError
	if errors.As(err, &hookErr) {
		for _, e := range entries {
			for _, h := range e.hooks {
				if h.Program == hookErr.Hook.Program && !e.dropped {
					return fallBack(e, hookErr.Err, progs, root)
				}
			}
		}
		return reason
	}
	// The kernel refused the whole object: BTF-typed programs (fentry,
	// fexit, tp_btf) are the usual cause (refused on some kernels): move those.
	moved := false
	for _, e := range entries {
		if e.dropped || len(e.hooks) == 0 || !btfTyped(e.hooks[0].Kind) {
			continue
		}
		if err := fallBack(e, reason, progs, root); err != nil {
			return err
		}
		moved = true
	}
	if !moved {
		return reason
	}
	return nil
}

// tailTargets are the programs a script puts into program arrays: loaded
// as the type their callers have now (a kprobe's on its tracepoint
// fallback is a tracepoint program), attached nowhere.
func tailTargets(writes []runplan.MapWrite, entries []*entry) map[string]probe.Kind {
	targets := map[string]probe.Kind{}
	for _, w := range writes {
		if w.Program == "" {
			continue
		}
		kind := probe.Kind(w.Kind)
		for _, e := range entries {
			for _, caller := range w.Callers {
				if len(e.hooks) > 0 && !e.dropped && e.want.Program == caller {
					kind = e.hooks[0].Kind
				}
			}
		}
		if kind != "" {
			targets[w.Program] = kind
		}
	}
	return targets
}

// btfTyped: the kind loads as a BPF_PROG_TYPE_TRACING program.
func btfTyped(k probe.Kind) bool {
	return k == probe.Fentry || k == probe.Fexit || k == probe.TpBTF
}

// report says how each program attached.
func report(l *probe.Loaded, entries []*entry, notify func(string)) {
	for _, n := range l.Notes {
		if strings.HasPrefix(n, "warning") {
			notify(n)
		}
	}
	for _, e := range entries {
		var where []string
		for _, h := range l.Attached {
			for _, eh := range e.hooks {
				if eh.Program == h.Program && !e.dropped {
					w := fmt.Sprintf("%s %s", h.Kind, textsafe.Escape(h.Target))
					if h.Note != "" {
						w += " (" + h.Note + ")"
					}
					where = append(where, w)
					break
				}
			}
		}
		for _, h := range l.Absent {
			if h.Program == e.want.Program {
				notify(fmt.Sprintf("attach: %s: tracepoint %s does not exist here, skipped", textsafe.Escape(h.Program), textsafe.Escape(h.Target)))
			}
		}
		switch {
		case e.how != "":
			notify(fmt.Sprintf("attach: %s: %s", textsafe.Escape(e.want.Program), e.how))
		case len(where) > 0:
			notify(fmt.Sprintf("attach: %s: %s", textsafe.Escape(e.want.Program), strings.Join(dedup(where), ", ")))
		}
	}
}

func dedup(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// show runs the outputs and keeps the counts.
type show struct {
	opts     Options
	obj      *btfview.Object
	loaded   *probe.Loaded
	out      *lockedWriter
	notify   func(string)
	stop     context.CancelFunc
	shown    atomic.Uint64   // events and lines, for --count
	misfit   map[string]bool // maps whose script print did not fit (warned)
	rings    int             // ring buffer outputs (they share one loss count)
	interval time.Duration   // maps printed every interval (0: at exit only), at least MinInterval
	noteMu   sync.Mutex
	noted    map[string]bool  // makeReadable's notes already printed
	results  []btfview.Global // plain globals the program writes, printed with the maps
	stacks   *stacks          // the stack trace map, to name stack ids (nil: none)
}

// makeReadable shows l's addresses, ports, errno values... as a person
// reads them (btfview.MakeReadable), unless --raw-values; what it decided
// from the source is said once.
func (s *show) makeReadable(l *btfview.Layout) {
	if l == nil || s.opts.RawValues {
		return
	}
	notes := l.MakeReadable(s.opts.Plan.NetworkOrder)
	s.noteMu.Lock()
	defer s.noteMu.Unlock()
	for _, n := range notes {
		if !s.noted[n] {
			if s.noted == nil {
				s.noted = map[string]bool{}
			}
			s.noted[n] = true
			s.notify("note: " + textsafe.Escape(n) + " (--raw-values: as it is)")
		}
	}
}

// full says --count rows were shown: rows read after that are not printed.
func (s *show) full() bool {
	return s.opts.Count > 0 && s.shown.Load() >= uint64(s.opts.Count)
}

// counted notes n more rows shown; at --count it stops the run.
func (s *show) counted(n int) {
	total := s.shown.Add(uint64(n))
	if total == uint64(n) {
		s.opts.Timings.Mark("first output shown")
	}
	if s.opts.Count > 0 && total >= uint64(s.opts.Count) {
		s.stop()
	}
}

func (s *show) run(ctx context.Context, outputs []runplan.Output, pipe *tracepipe.Pipe) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(outputs))
	var maps []runplan.Output
	for _, o := range outputs {
		if r := s.loaded.Readers[o.Map]; o.Kind == runplan.Events && r != nil && r.Pages() == 0 {
			s.rings++
		}
	}
	for _, o := range outputs {
		switch o.Kind {
		case runplan.TracePipe:
			wg.Add(1)
			go func() { defer wg.Done(); errs <- s.tracePipe(ctx, pipe, o) }()
		case runplan.Events:
			ev, err := s.newEvents(o)
			if err != nil {
				return err
			}

			wg.Add(1)
			go func() { defer wg.Done(); errs <- ev.run(ctx) }()
		case runplan.Items, runplan.Log2Hist, runplan.LinearHist:
			maps = append(maps, o)
		default:
			return fmt.Errorf("unknown output %q", o.Kind)
		}
	}
	interval := s.interval
	if interval > 0 && len(maps) > 0 {
		tick := time.NewTicker(interval)
		defer tick.Stop()
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-tick.C:
				if err := s.printMaps(maps); err != nil {
					s.stop()
					return err
				}
			}
		}
	} else {
		<-ctx.Done()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
	if interval == 0 || len(maps) == 0 {
		return s.printMaps(maps)
	}
	return nil
}

// tracePipe prints bpf_trace_printk lines.
func (s *show) tracePipe(ctx context.Context, pipe *tracepipe.Pipe, o runplan.Output) error {
	format := output.PrintkTable
	switch {
	case s.opts.JSON: // even for a script's trace_print(): JSON is asked for
		format = output.PrintkJSON
	case o.Format == "raw" || s.opts.Format == "raw":
		format = output.PrintkRaw
	case s.opts.Format != "":
		f, err := output.ParsePrintkFormat(s.opts.Format)
		if err != nil {
			return err
		}
		format = f
	}
	p := output.NewPrintkPrinter(s.out, format, "en")
	var py *pyfmt.Printer
	if o.Print != nil && format != output.PrintkRaw && !s.opts.JSON {
		py = &pyfmt.Printer{P: safePrint(*o.Print)}
	}
	var lost, printed, selfLines uint64
	var warner tracepipe.LossWarner // a full trace buffer: not a warning per read
	own := self.New()
	defer func() {
		if msg, _, due := warner.Flush(); due {
			s.notify(msg)
		}
		msg := fmt.Sprintf("trace_pipe: %d lines printed, %d lost", printed, lost)
		if pipe.Stale > 0 {
			msg += fmt.Sprintf(", %d from before we started skipped", pipe.Stale)
		}
		if selfLines > 0 {
			msg += fmt.Sprintf(", %d caused by ebpf-hello itself not shown (%s)", selfLines, selfHint)
		}
		s.notify(msg)
	}()
	for {
		line, err := pipe.Next(ctx)
		if err != nil {
			return err
		}
		if line.LostEvents > 0 {
			lost += uint64(line.LostEvents)
			if msg, _, due := warner.Add(uint64(line.LostEvents), time.Now()); due {
				s.notify(msg)
			}
			continue
		}
		if line.Parsed && !line.IsBPFPrintk() {
			continue // trace_marker writes and other tracers' lines
		}
		if !line.Parsed && strings.TrimSpace(line.Raw) == "" {
			continue // the rest of a message ending in \n (BCC's trace_fields skips it too)
		}
		if line.Parsed && !s.opts.ShowSelf && own.Owns(line.PID) {
			selfLines++
			continue
		}
		if s.full() {
			return nil
		}
		if py != nil {
			row, err := py.Row(pyfmt.TraceValues(line))
			if err != nil {
				return err
			}
			fmt.Fprintln(s.out, row)
		} else {
			if err := p.Print(line); err != nil {
				return err
			}
			if err := p.Flush(); err != nil {
				return err
			}
		}
		printed++
		s.counted(1)
	}
}

// events prints one perf event array's or ring buffer's events.
type events struct {
	s       *show
	name    string // escaped
	reader  *probe.Reader
	layout  *btfview.Layout
	printer *btfview.EventPrinter
	py      *pyfmt.Printer
	buf     bytes.Buffer
	shown   uint64 // events printed
	bad     uint64 // events that could not be decoded, not printed
	long    uint64 // events longer than the struct (printed by its first bytes)
	short   uint64 // events shorter than the struct, not printed
	padded  []byte // a used prefix of the struct, with the rest as zeros
	own     *self.IDs
	pidAt   pidField // where an event says which process caused it
	mine    uint64   // events ebpf-hello itself caused, not printed
	// stackFields are the event's stack buffers (stackBuffers), named.
	stackFields []string
}

func (s *show) newEvents(o runplan.Output) (*events, error) {
	layout, err := eventLayout(s.obj, o, s.opts)
	if err != nil {
		return nil, err
	}
	e := &events{s: s, name: textsafe.Escape(o.Map), reader: s.loaded.Readers[o.Map], layout: layout}
	if s.stacks != nil && !s.opts.RawValues {
		e.stackFields = stackBuffers(layout)
	}
	if !s.opts.ShowSelf {
		e.own, e.pidAt = self.New(), findPIDField(layout)
	}
	if o.Print != nil && !s.opts.JSON {
		e.py = &pyfmt.Printer{P: safePrint(*o.Print)} // the script's own conversions, on raw values
	} else {
		s.makeReadable(layout)
		e.printer = btfview.NewEventPrinter(&e.buf, layout, s.opts.JSON)
	}
	return e, nil
}

// eventLayout is the struct of o's events: the plan's (a BCC script's),
// --event-type, the one the source sends to the map (Plan.EventTypes),
// else as btfview.EventType finds it.
func eventLayout(obj *btfview.Object, o runplan.Output, opts Options) (*btfview.Layout, error) {
	typeName := cmp.Or(o.Type, opts.EventType)
	if typeName == "" && opts.Plan.EventTypes[o.Map] != "" {
		typeName = opts.Plan.EventTypes[o.Map]
		l, err := obj.EventType(o.Map, typeName)
		if err == nil { // keep what Struct said of where the type was (DWARF)
			how := "by the program's source, which sends struct " + textsafe.Escape(typeName) + " to " + textsafe.Escape(o.Map)
			if _, where, ok := strings.Cut(l.Found, "; "); ok {
				how += "; " + where
			}
			l.Found = how
		}
		return l, err
	}
	return obj.EventType(o.Map, typeName)
}

// defaultPages sizes a perf buffer by its events: room for eventsPerCPU
// of them on each CPU, so a burst waits in the buffer while the reader is
// not running (about 10 ms of a million events a second; measured here, a
// flood of 304-byte events lost some in 2 of 5 runs with half of that,
// none in 5 with this). Between 64 pages and what keeps all CPUs' buffers
// within maxBufferBytes.
func defaultPages(obj *btfview.Object, o runplan.Output, opts Options) int {
	const eventsPerCPU, minPages, maxBufferBytes = 8192, 64, 64 << 20
	size := 0
	if l, err := eventLayout(obj, o, opts); err == nil {
		size = l.Size + 8 // and the perf record's header
	}
	maxPages := max(minPages, maxBufferBytes/pageSize/runtime.NumCPU())
	pages := minPages
	for pages*pageSize < eventsPerCPU*size && pages*2 <= maxPages {
		pages *= 2
	}
	return pages
}

const pageSize = 4096

// scriptPages is a script's page_cnt, halved until all CPUs' buffers fit
// in maxScriptBuffers (said once), or 0.
func scriptPages(pages int, notify func(string)) int {
	const maxScriptBuffers = 256 << 20
	asked := pages
	for pages > 1 && pages*pageSize*runtime.NumCPU() > maxScriptBuffers {
		pages /= 2
	}
	if pages != asked {
		notify(fmt.Sprintf("note: the script's page_cnt=%d would take %d MiB on %d CPUs: %d pages per CPU instead", asked, asked*pageSize*runtime.NumCPU()>>20, runtime.NumCPU(), pages))
	}
	return pages
}

// timestamp reads the event's time field (the TIME(s) column) for ordering.
func timestamp(l *btfview.Layout) func([]byte) uint64 {
	i := btfview.TimeField(l)
	if i < 0 {
		return nil
	}
	off := l.Fields[i].Offset
	return func(b []byte) uint64 {
		if len(b) < off+8 {
			return 0
		}
		return binary.NativeEndian.Uint64(b[off:])
	}
}

func (e *events) run(ctx context.Context) error {
	stream := samples.NewStream(e.reader, timestamp(e.layout))
	defer stream.Close()
	e.s.opts.Timings.Mark("reading " + e.name)
	defer func() {
		lost, exact := e.lost()
		msg := fmt.Sprintf("%s: %d events, %d lost", e.name, e.shown, lost)
		switch {
		case e.reader.Pages() > 0 && !exact:
			msg += " (and maybe more: before Linux 6.0 the kernel reports a perf buffer's losses only with a later event)"
		case e.reader.Pages() == 0 && !exact:
			msg = fmt.Sprintf("%s: %d events; lost events unknown (only programs run compiles count a ring buffer's)", e.name, e.shown)
		case e.reader.Pages() == 0 && e.s.rings > 1:
			msg += " in all ring buffers"
		}
		if e.long > 0 {
			msg += fmt.Sprintf("; %d were longer than %s", e.long, e.structName())
		}
		if e.short > 0 {
			msg += fmt.Sprintf("; %d shorter than %s were not shown", e.short, e.structName())
		}
		if e.bad > 0 {
			msg += fmt.Sprintf("; %d could not be decoded", e.bad)
		}
		if e.mine > 0 {
			msg += fmt.Sprintf("; %d caused by ebpf-hello itself not shown (%s)", e.mine, selfHint)
		}
		e.s.notify(msg)
	}()
	var reported uint64
	for {
		batch, err := stream.Next(ctx) // after ctx ends: the rest, and io.EOF
		done := err == io.EOF
		if err != nil && !done {
			return err
		}
		if err := e.print(batch); err != nil {
			return err
		}
		if lost, _ := e.lost(); lost > reported {
			e.s.notify(fmt.Sprintf("warning: %s: %d events lost so far (buffer full): %s", e.name, lost, e.roomHint()))
			reported = lost
		}
		if done {
			return nil
		}
	}
}

// lost is how many events the kernel or the reader dropped, and whether
// that is all of them.
func (e *events) lost() (uint64, bool) {
	if e.reader.Pages() == 0 {
		// A ring buffer: the kernel does not count its losses; programs
		// compiled by run count them in one map for all ring buffers.
		n, err := e.s.loaded.SumPerCPU(compile.LostMap, 0)
		return n + e.reader.Overflow(), err == nil
	}
	n, exact := e.reader.Lost()
	return n + e.reader.Overflow(), exact
}

func (e *events) print(batch [][]byte) error {
	e.buf.Reset()
	if len(e.stackFields) > 0 {
		e.s.stacks.user.ForgetProcesses() // a pid may have exec'd or been reused since the last batch
	}
	for _, sample := range batch {
		if e.s.full() {
			break
		}
		sample, ok := e.fit(sample)
		if !ok {
			continue
		}
		if e.own != nil && e.pidAt.ok && e.own.Owns(e.pidAt.read(sample)) {
			e.mine++
			continue
		}
		var err error
		if e.py != nil {
			var rec btfview.Record
			if rec, err = e.layout.Decode(sample); err == nil {
				var row string
				if row, err = e.py.Row(pyfmt.EventValues(rec)); err != nil {
					return err
				}
				e.buf.WriteString(row + "\n")
			}
		} else if len(e.stackFields) > 0 { // addresses shown as the functions they are
			var rec btfview.Record
			if rec, err = e.layout.Decode(sample); err == nil {
				e.s.stacks.nameBuffers(rec, e.stackFields)
				err = e.printer.PrintRecord(rec)
			}
		} else {
			err = e.printer.Print(sample)
		}
		if err != nil {
			if e.bad++; e.bad == 1 {
				e.s.notify(fmt.Sprintf("warning: %s: %v", e.name, err))
			}
			continue
		}
		e.shown++
		e.s.counted(1)
	}
	if e.buf.Len() == 0 {
		return nil
	}
	_, err := e.s.out.Write(e.buf.Bytes())
	return err
}

// fit checks a sample's length against the struct: a used prefix is
// padded with zeros; one that says the struct is not what the program
// sends is counted, and warned about the first time (a longer one is still
// printed by the struct's first bytes; a shorter one cannot be).
func (e *events) fit(sample []byte) ([]byte, bool) {
	fit := e.layout.FitSample(len(sample), e.reader.Pages() > 0)
	switch fit {
	case btfview.Prefix:
		e.padded = append(append(e.padded[:0], sample...), make([]byte, e.layout.Size-len(sample))...)
		e.layout.JoinTailStrings(e.padded[:len(sample)]) // argv-like strings, one after the other
		return e.padded, true
	case btfview.Long:
		if e.long++; e.long == 1 {
			e.s.notify(fmt.Sprintf("warning: %s: an event of %d bytes is longer than %s: rows show only its first %d bytes (is it the struct the program sends? --event-type names another)", e.name, len(sample), e.structName(), e.layout.Size))
		}
	case btfview.Short:
		if e.short++; e.short == 1 {
			e.s.notify(fmt.Sprintf("warning: %s: an event of %d bytes is shorter than %s: such events cannot be shown (is it the struct the program sends? --event-type names another)", e.name, len(sample), e.structName()))
		}
		return nil, false
	}
	return sample, true
}

// roomHint says how to give a buffer's events more room.
func (e *events) roomHint() string {
	pages := e.reader.Pages()
	switch {
	case pages == 0:
		return "a ring buffer's size is the program's own (its max_entries, or BPF_RINGBUF_OUTPUT(name, PAGES) in BCC): make it larger there"
	case e.s.opts.Pages == 0:
		return fmt.Sprintf("try --pages %d (it has %d per CPU, chosen for its events)", 2*pages, pages)
	}
	return fmt.Sprintf("try a larger --pages (now %d)", pages)
}

// structName is the events' struct and its size, for messages.
func (e *events) structName() string {
	if e.layout.Name == "" {
		return fmt.Sprintf("their struct (%d bytes)", e.layout.Size)
	}
	return fmt.Sprintf("struct %s (%d bytes)", textsafe.Escape(e.layout.Name), e.layout.Size)
}

// printMaps prints every map output once.
func (s *show) printMaps(outputs []runplan.Output) error {
	var b bytes.Buffer
	for _, o := range outputs {
		if err := s.printMap(&b, o); err != nil {
			return err
		}
	}
	if err := s.printGlobals(&b); err != nil {
		return err
	}
	_, err := s.out.Write(b.Bytes())
	return err
}

func (s *show) printMap(w *bytes.Buffer, o runplan.Output) error {
	m, err := s.obj.Map(o.Map)
	if err != nil {
		return err
	}
	km, err := s.loaded.Map(o.Map)
	if err != nil {
		return err
	}
	raw, err := km.Items()
	if err != nil {
		return err
	}
	entries := make([]btfview.Entry, 0, len(raw))
	for _, it := range raw {
		value := it.Value
		if km.PerCPU && m.Value != nil {
			stride := (m.Value.Size + 7) &^ 7
			if value, err = btfview.SumPerCPU(m.Value, it.Value, len(it.Value)/stride); err != nil {
				return err
			}
		}
		entries = append(entries, btfview.Entry{Key: it.Key, Value: value})
	}
	title := o.Title
	if title == "" {
		title = o.Map
	}
	switch o.Kind {
	case runplan.Items:
		if o.Print == nil || s.opts.JSON { // a script's print converts raw values itself
			s.makeReadable(m.Key)
			s.makeReadable(m.Value)
		}
		items, err := btfview.Items(m, entries)
		if err != nil {
			return err
		}
		if s.stacks != nil && !s.opts.RawValues {
			s.stacks.name(items)
		}
		if o.ByKey || o.Reverse {
			btfview.SortItems(items, o.ByKey, o.Reverse)
		}
		if o.Print != nil && !s.opts.JSON {
			p := safePrint(*o.Print)
			rows, err := scriptRows(p, items)
			if err == nil {
				for _, h := range p.Head {
					w.WriteString(h + "\n")
				}
				w.WriteString(rows)
				break
			}
			if !s.misfit[o.Map] { // once, not at every interval
				s.notify(fmt.Sprintf("warning: %s: the script's print of each item does not fit the map (%v): printed run's own way", textsafe.Escape(o.Map), err))
				s.misfit[o.Map] = true
			}
		}
		if len(items) > 0 && !s.opts.JSON {
			fmt.Fprintf(w, "\n%s:\n", textsafe.Escape(title))
		}
		err = btfview.PrintItems(w, m, items, s.opts.JSON)
		if err != nil {
			return err
		}
	default:
		max := btfview.Log2Slots
		if o.Kind == runplan.LinearHist {
			max = btfview.LinearSlots
		}
		sections, err := btfview.HistSections(m, entries, max)
		if err != nil {
			return err
		}
		label := textsafe.Escape(o.Title)
		if label == "" {
			label = "value"
		}
		if len(entries) > 0 {
			fmt.Fprintf(w, "\n%s:\n", textsafe.Escape(o.Map))
		}
		if err := btfview.PrintHist(w, sections, label, "bucket", o.Kind == runplan.Log2Hist); err != nil {
			return err
		}
	}
	if o.Clear {
		for _, it := range raw {
			_ = km.Delete(it.Key) // arrays cannot delete: their slots stay
		}
	}
	return nil
}

// scriptRows formats items with the print of a script's items() loop.
func scriptRows(p runplan.Print, items []btfview.Item) (string, error) {
	py := &pyfmt.Printer{P: p}
	var b strings.Builder
	for _, it := range items {
		row, err := py.Row(pyfmt.ItemValues(recordValue(it.Key), recordValue(it.Value)))
		if err != nil {
			return "", err
		}
		b.WriteString(row + "\n")
	}
	return b.String(), nil
}

// recordValue is a decoded key or value as one Value: a scalar as it is,
// a struct as a record of its fields.
func recordValue(r btfview.Record) btfview.Value {
	if len(r) == 1 && r[0].Name == "" {
		return r[0].Value
	}
	return btfview.Value{Kind: btfview.KindRecord, Fields: r}
}

// lockedWriter lets the outputs write whole chunks to one stdout.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// mapInterval is how often maps are printed for a plan's interval: at
// least MinInterval; raised says it was shorter.
func mapInterval(d time.Duration) (interval time.Duration, raised bool) {
	if d > 0 && d < MinInterval {
		return MinInterval, true
	}
	return d, false
}

// showsMaps: some output prints maps.
func showsMaps(outputs []runplan.Output) bool {
	for _, o := range outputs {
		switch o.Kind {
		case runplan.Items, runplan.Log2Hist, runplan.LinearHist:
			return true
		}
	}
	return false
}

// openPipe opens trace_pipe when an output reads it, before loading:
// trace_pipe takes one reader at a time. When another process reads it,
// the program runs without its printk lines if it has other outputs
// (events, maps), with one line saying so and who holds trace_pipe: the
// outputs returned are then those others.
func openPipe(root string, outputs []runplan.Output, notify func(string)) (*tracepipe.Pipe, []runplan.Output, error) {
	var others []runplan.Output
	for _, o := range outputs {
		if o.Kind != runplan.TracePipe {
			others = append(others, o)
		}
	}
	if len(others) == len(outputs) {
		return nil, outputs, nil
	}
	if root == "" {
		return nil, nil, errors.New("bpf_trace_printk output is read from tracefs, which is unavailable")
	}
	pipe, err := tracepipe.OpenPipe(root)
	switch {
	case err == nil:
		return pipe, outputs, nil
	case !errors.Is(err, tracepipe.ErrBusy) || len(others) == 0:
		return nil, nil, err
	}
	who := "another process"
	if holders := tracepipe.Holders(filepath.Join(root, "trace_pipe")); len(holders) > 0 {
		names := make([]string, len(holders))
		for i, h := range holders {
			names[i] = h.String() // its comm escaped
		}
		who = strings.Join(names, ", ")
	}
	notify(fmt.Sprintf("warning: trace_pipe is being read by %s, and this kernel allows one reader: the program's bpf_printk lines cannot be shown (its other output is)", who))
	return nil, others, nil
}

// safePrint is a plan's print with its literal text (format, texts,
// column titles) escaped for the terminal; its line breaks and tabs stay,
// as the script printed them. The fields it prints are escaped by the
// values (pyfmt).
func safePrint(p runplan.Print) runplan.Print {
	p.Format = textsafe.Message(p.Format)
	args := make([]runplan.PrintArg, len(p.Args))
	for i, a := range p.Args {
		a.Text = textsafe.Message(a.Text)
		args[i] = a
	}
	p.Args = args
	head := make([]string, len(p.Head))
	for i, h := range p.Head {
		head[i] = textsafe.Message(h)
	}
	p.Head = head
	return p
}

// oneLine makes a message one line for stderr: controls escaped
// (textsafe.Message), its line breaks too. Names inside it are Escape'd
// where it is made; this is for what other packages wrote.
func oneLine(msg string) string {
	msg = textsafe.Message(msg)
	if strings.Contains(msg, "\n") {
		msg = strings.ReplaceAll(msg, "\n", `\n`)
	}
	return msg
}

// lineError is an error shown on one line (see oneLine).
type lineError struct{ err error }

func (e *lineError) Error() string { return oneLine(e.err.Error()) }
func (e *lineError) Unwrap() error { return e.err }

// oneLineError keeps an error to one line, but a verifier rejection,
// whose lines are the verifier's own (each indented, so none starts like
// one of run's).
func oneLineError(err error) error {
	var rejected *probe.VerifierError
	if err == nil || errors.As(err, &rejected) || !strings.ContainsAny(err.Error(), "\n\r") {
		return err
	}
	return &lineError{err}
}
