package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
	"github.com/ebpf-hello/ebpf-hello/internal/textsafe"
)

// printParams lists the object's globals as `run --params` shows them:
// what a loader would set, and what --set refuses and why.
func printParams(w io.Writer, object []byte) error {
	obj, err := btfview.Load(object)
	if err != nil {
		return err
	}
	globals, err := obj.Globals()
	if err != nil {
		return err
	}
	var names []string
	for name := range globals {
		if !strings.HasPrefix(name, "ebpf_hello_") && !strings.HasPrefix(name, "__") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		_, err := fmt.Fprintln(w, "no global variables: nothing to --set")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tDEFAULT\tSECTION\t--set")
	for _, name := range names {
		g := globals[name]
		def := "?"
		if rec, err := obj.Default(g); err == nil {
			var parts []string
			for _, f := range rec {
				parts = append(parts, f.Value.String())
			}
			def = strings.Join(parts, " ")
		}
		settable := "yes"
		if err := obj.Settable(g); err != nil {
			_, why, _ := strings.Cut(err.Error(), ": ")
			settable = "no: " + why
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", textsafe.Escape(name), textsafe.Escape(typeOf(g.Type)), def, g.Section, settable)
	}
	return tw.Flush()
}

// typeOf names a global's type: its own name, or what it is.
func typeOf(l *btfview.Layout) string {
	if l.Name != "" || len(l.Fields) != 1 {
		return l.Name
	}
	switch f := l.Fields[0]; f.Kind {
	case btfview.KindText:
		return fmt.Sprintf("char[%d]", f.Len)
	case btfview.KindPointer:
		return "pointer"
	case btfview.KindList:
		if f.Elem != nil {
			return fmt.Sprintf("%s[%d]", typeOf(f.Elem), f.Len)
		}
	}
	return ""
}
