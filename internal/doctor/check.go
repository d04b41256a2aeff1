package doctor

import (
	"encoding/json"
	"fmt"
	"io"
)

// Status of one check.
type Status string

// The statuses, from good to bad.
const (
	OK   Status = "ok"
	Info Status = "info" // a fact, nothing to fix
	Skip Status = "skip" // could not be checked (say why)
	Warn Status = "warn"
	Fail Status = "fail"
)

// Check is one line of the report.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"` // what to do, when not ok
}

// Report is everything doctor found.
type Report struct {
	Checks []Check `json:"checks"`
	// Attach and Buffer are what `open` would use here ("" when unknown).
	Attach string `json:"attach"`
	Buffer string `json:"buffer"`
	// Ready is true when printk and open can run here.
	Ready   bool   `json:"ready"`
	Summary string `json:"summary"`
}

func (r *Report) add(c Check) { r.Checks = append(r.Checks, c) }

// Failed reports whether a check failed.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// WriteText prints one line per check, hints indented below.
func (r *Report) WriteText(w io.Writer) error {
	for _, c := range r.Checks {
		if _, err := fmt.Fprintf(w, "%-5s %-22s %s\n", c.Status, c.Name, c.Detail); err != nil {
			return err
		}
		if c.Hint != "" && c.Status != OK && c.Status != Info {
			if _, err := fmt.Fprintf(w, "      %-22s → %s\n", "", c.Hint); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprintln(w, r.Summary)
	return err
}

// WriteJSON prints the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
