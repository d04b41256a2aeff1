package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/options"
	"github.com/ebpf-hello/ebpf-hello/internal/probe"
)

// newApp builds the command line. Output goes to the given writers so tests can capture it.
func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:    "ebpf-hello",
		Usage:   "the eBPF hello-world tutorial, as a tool you can run and read",
		Version: version,
		Description: `Each command loads a small BPF program into the kernel, attaches it to file
opens (or, for exec, to process executions), and shows what it sees. Needs root (or CAP_BPF + CAP_PERFMON, and
CAP_DAC_READ_SEARCH to read tracefs).

EXAMPLES:
   sudo ebpf-hello printk --count 3          # tutorial steps 1-3: Hello, World! per open
   sudo ebpf-hello printk --format fields    # ... with each trace_pipe field explained
   sudo ebpf-hello open                      # tutorial step 4: TIME(s) COMM PID FILE
   sudo ebpf-hello open --comm cat --json    # only cat's opens, as JSON lines
   sudo ebpf-hello exec                      # every process execution, like execsnoop`,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Usage: "print libbpf's messages on stderr"},
		},
		Before: func(c *cli.Context) error {
			if c.Bool("verbose") {
				probe.Verbose = func(msg string) { fmt.Fprintln(stderr, "libbpf:", msg) }
			}
			return nil
		},
		Commands: []*cli.Command{
			newPrintkCommand(),
			newOpenCommand(),
			newExecCommand(),
			newDoctorCommand(),
			newRunCommand(),
			newPrepareCommand(),
		},
		// Without a command: the help. With an unknown one: one line, exit 1
		// (urfave/cli would print "No help topic for 'bogus'").
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				var names []string
				for _, cmd := range c.App.VisibleCommands() {
					names = append(names, cmd.Name)
				}
				return fmt.Errorf("unknown command %q: the commands are %s (see 'ebpf-hello --help')", c.Args().First(), strings.Join(names, ", "))
			}
			return cli.ShowAppHelp(c)
		},
		OnUsageError:         usageError,
		HideHelpCommand:      true,
		EnableBashCompletion: false,
		// Errors are printed once, by main; urfave/cli must not exit on its own.
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

// usageError turns a flag parsing error into one line instead of the full help.
func usageError(c *cli.Context, err error, _ bool) error {
	return fmt.Errorf("%w (see '%s --help')", err, c.Command.HelpName)
}

// attachFlag is --attach, shared by every command that hooks file opens.
var attachFlag = &cli.StringFlag{
	Name:  "attach",
	Value: "auto",
	Usage: "how to hook file opens: auto (kprobe, else fentry, else tracepoint), kprobe, fentry or tracepoint",
}

// attachMode checks a command line that hooks file opens: no stray
// arguments, and a valid --attach.
func attachMode(c *cli.Context) (string, error) {
	if err := noArgs(c); err != nil {
		return "", err
	}
	switch mode := c.String("attach"); mode {
	case "auto", "kprobe", "fentry", "tracepoint":
		return mode, nil
	default:
		return "", fmt.Errorf("invalid --attach %q: want auto, kprobe, fentry or tracepoint", mode)
	}
}

// limitFlags are --count and --duration.
func limitFlags(what string) []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Usage: "stop after `N` " + what + " (0: no limit)"},
		&cli.DurationFlag{Name: "duration", Aliases: []string{"d"}, Usage: "stop after `D`, a Go duration such as 10s or 1m (0: no limit)"},
	}
}

// limits reads --count and --duration (options.Limits validates them).
func limits(c *cli.Context) options.Limits {
	return options.Limits{Count: c.Int("count"), Duration: c.Duration("duration")}
}

// noArgs rejects stray positional arguments.
func noArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see '%s --help')", c.Args().First(), c.Command.HelpName)
	}
	return nil
}
