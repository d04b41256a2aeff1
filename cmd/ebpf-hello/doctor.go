package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/bpfcheck"
	"github.com/ebpf-hello/ebpf-hello/internal/doctor"
)

func newDoctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check, in one screen, whether and how eBPF works on this machine",
		Description: `One line per check (ok / info / warn / fail / skip), with a fix for anything
not ok: kernel, BTF, privileges, lockdown, tracefs, kprobes, fentry,
tracepoints, buffers. As root it then runs the real open and printk commands
once and checks what they report (--selftest, on by default).
Exit code 0 when printk and open can run here, 1 otherwise.

EXAMPLES:
   sudo ebpf-hello doctor              # the full report
   sudo ebpf-hello doctor --json       # for scripts and workshop graders
   ebpf-hello doctor --lang zh         # 中文提示 (also when LANG=zh_CN.UTF-8)`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.BoolFlag{Name: "selftest", Value: true, Usage: "run open and printk for real (root only)"},
			&cli.StringFlag{Name: "lang", Usage: "language of the messages: en or zh (default: from LANG)"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			lang := c.String("lang")
			if lang != "" && lang != "en" && lang != "zh" {
				return fmt.Errorf("invalid --lang %q: want en or zh", lang)
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find this binary for the self-test: %w", err)
			}
			report := doctor.Run(doctor.Options{Lang: doctor.Lang(lang), Selftest: c.Bool("selftest"), Exe: exe, Kernel: bpfcheck.Kernel{}})
			if c.Bool("json") {
				err = report.WriteJSON(c.App.Writer)
			} else {
				err = report.WriteText(c.App.Writer)
			}
			if err != nil {
				return err
			}
			if !report.Ready {
				return errNotReady
			}
			return nil
		},
	}
}

// errNotReady: the report said it all; only the exit code is left to set.
var errNotReady = exitCode(1)

// exitCode is an error that main turns into that exit status, printing
// nothing: the command has already said why.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
