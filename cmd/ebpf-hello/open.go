package main

import (
	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/opens"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
)

func newOpenCommand() *cli.Command {
	return &cli.Command{
		Name:  "open",
		Usage: "trace file opens: TIME(s) COMM PID FILE (tutorial step 4)",
		Description: `One event per file open, sent by the BPF program through a perf event array
(or a ring buffer) and printed with the time relative to the first event.
Filters run in the kernel. A summary ("N events, M lost") goes to stderr at exit.
Names are whatever bytes their owner chose: control characters, bytes that
are not UTF-8 and backslashes are escaped (\n, \x1b, \xff, \\), and a name
longer than 255 bytes ends in \... (cut), so no name can forge a row.

EXAMPLES:
   sudo ebpf-hello open                        # every open on the machine
   sudo ebpf-hello open --pid 1234             # only process 1234
   sudo ebpf-hello open --comm cat --errors    # only cat, with FD and ERR columns
   sudo ebpf-hello open --failed               # only opens that failed
   sudo ebpf-hello open --json | jq .file      # JSON lines for scripts
   sudo ebpf-hello open --entry-only           # read names at entry, as the tutorial does
   sudo ebpf-hello open --buffer ring -n 100   # ring buffer, stop after 100 events`,
		Flags: append([]cli.Flag{
			attachFlag,
			&cli.StringFlag{Name: "buffer", Value: options.BufferPerf, Usage: "how events reach user space: perf (perf event array, as the tutorial) or ring (BPF ring buffer, kernel 5.8+)"},
			&cli.IntFlag{Name: "pages", DefaultText: "128 per CPU for perf, 1024 for ring", Usage: "buffer size in 4 KiB pages, a power of two: per CPU for perf, in total for ring"},
			&cli.IntFlag{Name: "pid", Aliases: []string{"p"}, DefaultText: "any", Usage: "only opens by process `PID`"},
			&cli.IntFlag{Name: "tid", Aliases: []string{"t"}, DefaultText: "any", Usage: "only opens by thread `TID`"},
			&cli.IntFlag{Name: "uid", Aliases: []string{"u"}, Value: -1, DefaultText: "any", Usage: "only opens by user `UID`"},
			&cli.StringFlag{Name: "comm", Aliases: []string{"c"}, Usage: "only opens by processes named `NAME` (first 15 characters, as the kernel keeps)"},
			&cli.BoolFlag{Name: "failed", Aliases: []string{"x"}, Usage: "only opens that failed"},
			&cli.BoolFlag{Name: "entry-only", Usage: "read the file name when open starts, as the tutorial does (no FD/ERR; names can be unreadable)"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per event (time_s, ts_ns, pid, tid, uid, comm, file, fd, err, attach; file_cut when a name was cut). comm and file are escaped as in the table: \\n, \\xNN, \\\\ for a backslash"},
			&cli.BoolFlag{Name: "show-tid", Usage: "add a TID column"},
			&cli.BoolFlag{Name: "errors", Aliases: []string{"e"}, Usage: "add FD and ERR columns"},
		}, limitFlags("events")...),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			mode, err := attachMode(c)
			if err != nil {
				return err
			}
			opts := options.Open{
				Attach:    mode,
				Buffer:    c.String("buffer"),
				Pages:     c.Int("pages"),
				PID:       c.Int("pid"),
				TID:       c.Int("tid"),
				UID:       c.Int("uid"),
				Comm:      c.String("comm"),
				Failed:    c.Bool("failed"),
				EntryOnly: c.Bool("entry-only"),
				Limits:    limits(c),
				Output: output.OpenOptions{
					JSON:       c.Bool("json"),
					ShowTID:    c.Bool("show-tid"),
					ShowErrors: c.Bool("errors"),
				},
			}
			return opens.Run(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}
