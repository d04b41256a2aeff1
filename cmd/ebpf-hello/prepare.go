package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ebpf-hello/ebpf-hello/internal/compile"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

func newPrepareCommand() *cli.Command {
	return &cli.Command{
		Name:  "prepare",
		Usage: "make run's compile cache for this kernel and clang now, so that the first run starts warm",
		Description: `A program's first 'run' on a machine (and the first after a kernel update
or a clang upgrade) makes vmlinux.h from the kernel's BTF and, in the
background, a precompiled header of it: until then every compile parses the
whole vmlinux.h. 'prepare' does both now and waits for them, so that the
learner's first run compiles in a tenth of the time. ./run.sh does it; a
workshop machine's set-up should too. Run it as the user who runs 'run'
(root, for sudo ebpf-hello run): each user has their own cache.

EXAMPLES:
   sudo ebpf-hello prepare
   sudo ebpf-hello run hello.bpf.c --timings   # then: no "compile cache made" step`,
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return fmt.Errorf("prepare takes no arguments")
			}
			start := time.Now()
			p, err := compile.Prepare(c.Context)
			if err != nil {
				return err
			}
			if p.Note != "" {
				fmt.Fprintln(c.App.ErrWriter, "ebpf-hello: "+textsafe.Message(p.Note))
			}
			took := time.Since(start).Round(time.Millisecond)
			switch {
			case p.Temporary:
				return fmt.Errorf("no compile cache to prepare: run compiles in a temporary one each time")
			case p.PCHError != "":
				first, _, _ := strings.Cut(p.PCHError, "\n")
				fmt.Fprintf(c.App.Writer, "compile cache %s, but clang could not make its precompiled header (compiles parse the whole vmlinux.h): %s\n",
					textsafe.Escape(p.Dir), textsafe.Message(first))
			case !p.PCH:
				return fmt.Errorf("the precompiled header of %s was not made within the wait: try again", textsafe.Escape(p.Dir))
			case p.Made:
				fmt.Fprintf(c.App.Writer, "compile cache made in %v: %s (vmlinux.h and its precompiled header)\n", took, textsafe.Escape(p.Dir))
			default:
				fmt.Fprintf(c.App.Writer, "compile cache ready: %s (vmlinux.h and its precompiled header)\n", textsafe.Escape(p.Dir))
			}
			return nil
		},
	}
}
