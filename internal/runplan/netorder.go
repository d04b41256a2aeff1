package runplan

import (
	"regexp"
	"sort"
	"strings"
)

// networkOrderPorts are the kernel's socket fields that hold a port in
// network order (skc_num, the local port, is in host order).
var networkOrderPorts = []string{"skc_dport", "inet_dport", "inet_sport", "sk_dport", "sk_sport"}

var (
	portName   = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*port\b\s*(\()?`)
	assignment = regexp.MustCompile(`(?s)^(.*?[A-Za-z0-9_\]])\s*=[^=](.*)$`)
	lineNote   = regexp.MustCompile(`//[^\n]*|/\*(?s:.*?)\*/`)
)

// NetworkOrderFields reads a program's C source (or a BCC script that
// holds it) for the port variables and event fields it fills in network
// order: those assigned from a socket's skc_dport, inet_sport, ... (or from
// another such variable) without bpf_ntohs. Its loader would print them
// with ntohs(); run shows them in host order (btfview.MakeReadable). Names
// only, not types: a guess from the source, which the user can turn off
// with --raw-values.
func NetworkOrderFields(src []byte) []string {
	text := lineNote.ReplaceAllString(string(src), " ")
	statements := strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '{' || r == '}' })
	network := map[string]bool{}
	host := map[string]bool{}
	kernel := map[string]bool{}
	for _, k := range networkOrderPorts {
		kernel[k] = true
	}
	// Two rounds: a variable read from a socket, then the event field
	// assigned from it (event.dport = dport).
	for round := 0; round < 2; round++ {
		for _, st := range statements {
			converted := strings.Contains(st, "ntohs") || strings.Contains(st, "htons")
			left, right := "", st
			if m := assignment.FindStringSubmatch(st); m != nil {
				left, right = m[1], firstOperand(m[2])
			}
			if !fromNetwork(right, kernel, network) {
				continue
			}
			targets := ports(left)
			if left == "" { // BPF_CORE_READ_INTO(&dport, sk, __sk_common.skc_dport)
				targets = addressed(st)
			}
			for _, p := range targets {
				if kernel[p] {
					continue
				}
				if converted {
					host[p] = true
				} else {
					network[p] = true
				}
			}
		}
	}
	var names []string
	for p := range network {
		if !host[p] {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	return names
}

// fromNetwork: s reads a kernel network-order port or a variable known to
// hold one.
func fromNetwork(s string, kernel, network map[string]bool) bool {
	for _, p := range ports(s) {
		if kernel[p] || network[p] {
			return true
		}
	}
	return false
}

// firstOperand cuts an initializer at a comma outside parentheses: in
// "__u16 sport = 0, dport" sport's value is 0.
func firstOperand(s string) string {
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				return s[:i]
			}
		}
	}
	return s
}

var addressOf = regexp.MustCompile(`(?:^|[^&])&\s*[A-Za-z_][A-Za-z0-9_.>\-]*port\b`)

// addressed lists the ports whose address s passes to a read
// (bpf_probe_read(&dport, ...), BPF_CORE_READ_INTO(&e->sport, ...)).
func addressed(s string) []string {
	var names []string
	for _, m := range addressOf.FindAllString(s, -1) {
		names = append(names, ports(m)...)
	}
	return names
}

// ports lists the identifiers in s that end in "port" and are not called
// (filter_port(x) is a function).
func ports(s string) []string {
	var names []string
	for _, m := range portName.FindAllStringSubmatch(s, -1) {
		if m[1] == "" {
			names = append(names, strings.TrimSpace(m[0]))
		}
	}
	return names
}
