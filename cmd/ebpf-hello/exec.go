package main

import (
	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/execs"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
)

func newExecCommand() *cli.Command {
	return &cli.Command{
		Name:  "exec",
		Usage: "trace process executions: TIME(s) PCOMM PID PPID RET ARGS (like execsnoop)",
		Description: `One line per execve(2) or execveat(2), successful or not, from the syscall
tracepoints: the arguments are read when exec starts, the result, the new
command name (PCOMM) and the parent (PPID) when it returns. ARGS is the path
given to exec followed by the arguments after argv[0]; --json has the path and
the whole argv apart. RET is 0 or -errno (-2: ENOENT, a shell looking along PATH).
Filters run in the kernel. A summary ("N events, M lost") goes to stderr at exit.

Arguments are whatever bytes their owner chose: control characters, bytes that
are not UTF-8 and backslashes are escaped (\n, \x1b, \xff, \\). At most 64
arguments and 4 KiB are kept, each argument at most 255 bytes: an argument cut
short ends in \..., and a lone \... at the end means arguments were left out.

EXAMPLES:
   sudo ebpf-hello exec                         # every exec on the machine
   sudo ebpf-hello exec --failed                # only execs that failed
   sudo ebpf-hello exec --comm ls               # only execs of programs named ls
   sudo ebpf-hello exec --pid 1234 --uid 1000   # only by process 1234, as user 1000
   sudo ebpf-hello exec --json | jq -c .args    # JSON lines for scripts
   sudo ebpf-hello exec -d 10s                  # for ten seconds`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "attach", Value: "auto", Usage: "how to hook execs: auto or tracepoint (the execve/execveat syscall tracepoints)"},
			&cli.IntFlag{Name: "pages", DefaultText: "64", Usage: "perf buffer size per CPU in 4 KiB pages, a power of two"},
			&cli.IntFlag{Name: "pid", Aliases: []string{"p"}, DefaultText: "any", Usage: "only execs by process `PID`"},
			&cli.IntFlag{Name: "uid", Aliases: []string{"u"}, Value: -1, DefaultText: "any", Usage: "only execs by user `UID`"},
			&cli.StringFlag{Name: "comm", Aliases: []string{"c"}, Usage: "only execs whose command name afterwards is `NAME` (first 15 characters, as the kernel keeps)"},
			&cli.BoolFlag{Name: "failed", Aliases: []string{"x"}, Usage: "only execs that failed"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per event (time_s, ts_ns, pid, tid, ppid, uid, comm, ret, file, args, attach; file_cut, args_cut, args_more when something was cut), escaped as in the table"},
		}, limitFlags("events")...),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			opts := options.Exec{
				Attach: c.String("attach"),
				Pages:  c.Int("pages"),
				PID:    c.Int("pid"),
				UID:    c.Int("uid"),
				Comm:   c.String("comm"),
				Failed: c.Bool("failed"),
				Limits: limits(c),
				Output: output.ExecOptions{JSON: c.Bool("json")},
			}
			return execs.Run(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}
