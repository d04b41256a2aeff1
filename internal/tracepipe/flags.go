package tracepipe

import "fmt"

// ExplainFlags says what each character of the latency-format flags field
// means, position by position (see the kernel's Documentation/trace/ftrace.rst).
func ExplainFlags(flags string) []string {
	var out []string
	for i, c := range flags {
		switch i {
		case 0:
			out = append(out, irqState(c))
		case 1:
			out = append(out, needResched(c))
		case 2:
			out = append(out, irqContext(c))
		case 3:
			out = append(out, depth("preempt depth", c))
		case 4:
			out = append(out, depth("migrate-disable depth", c))
		}
	}
	return out
}

func irqState(c rune) string {
	switch c {
	case 'd':
		return "irqs off"
	case 'D':
		return "irqs and bottom halves off"
	case 'b':
		return "bottom halves off"
	case 'X':
		return "irq state unknown"
	case '.':
		return "irqs on"
	}
	return fmt.Sprintf("irq state %q", c)
}

func needResched(c rune) string {
	switch c {
	case 'N':
		return "reschedule pending (both flags)"
	case 'n':
		return "reschedule pending (TIF_NEED_RESCHED)"
	case 'p':
		return "reschedule pending (PREEMPT_NEED_RESCHED)"
	case 'L', 'B', 'l', 'b':
		return "lazy reschedule pending"
	case '.':
		return "no reschedule pending"
	}
	return fmt.Sprintf("need-resched %q", c)
}

func irqContext(c rune) string {
	switch c {
	case 'Z':
		return "NMI inside a hard irq"
	case 'z':
		return "in NMI"
	case 'H':
		return "hard irq inside a soft irq"
	case 'h':
		return "in a hard irq"
	case 's':
		return "in a soft irq"
	case '.':
		return "process context"
	}
	return fmt.Sprintf("context %q", c)
}

func depth(what string, c rune) string {
	if c == '.' {
		return what + " 0"
	}
	return fmt.Sprintf("%s %c", what, c)
}
