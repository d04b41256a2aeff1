package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/doctor"
	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/output"
	"github.com/ebpf-hello/ebpf-hello/internal/printk"
)

func newPrintkCommand() *cli.Command {
	return &cli.Command{
		Name:  "printk",
		Usage: `print "Hello, World!" from the kernel on every file open (tutorial steps 1-3)`,
		Description: `Loads a BPF program that calls bpf_trace_printk("Hello, World!") whenever a
file is opened, then reads the kernel's trace_pipe. By default each line is
shown with its fields explained (task, pid, cpu, flags, timestamp, function,
message), and only lines from this program are shown.

trace_pipe is shared by every BPF program on the machine, and reading it
consumes it: each line reaches one reader only. Recent kernels allow one
reader at a time: while this runs, 'cat trace_pipe' elsewhere cannot open it
(and when another reader is there first, this command says which process it
is). Older kernels let both read, and each misses the lines the other took.

EXAMPLES:
   sudo ebpf-hello printk --count 3            # three lines, explained
   sudo ebpf-hello printk --format raw         # exactly as the kernel wrote them
   sudo ebpf-hello printk --format table -d 5s # one row per line, for 5 seconds
   sudo ebpf-hello printk --format json --all  # every trace_pipe line, as JSON
   sudo ebpf-hello printk --count 1 --lang zh  # 用中文解释各字段 (also when LANG=zh_CN.UTF-8)`,
		Flags: append([]cli.Flag{
			attachFlag,
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: string(output.PrintkFields), Usage: "fields (each line explained), table, raw (as the kernel wrote it) or json"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "show every trace_pipe line, not only this program's"},
			&cli.StringFlag{Name: "lang", Usage: "language of the field explanations: en or zh (default: from LANG)"},
		}, limitFlags("lines")...),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			mode, err := attachMode(c)
			if err != nil {
				return err
			}
			format, err := output.ParsePrintkFormat(c.String("format"))
			if err != nil {
				return err
			}
			lang := c.String("lang")
			if lang != "" && lang != "en" && lang != "zh" {
				return fmt.Errorf("invalid --lang %q: want en or zh", lang)
			}
			opts := options.Printk{
				Attach: mode,
				Format: format,
				All:    c.Bool("all"),
				Limits: limits(c),
				Lang:   doctor.Lang(lang),
			}
			return printk.Run(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}
