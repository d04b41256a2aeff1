package tracepipe

import "fmt"

// ExplainFlags says what each character of the latency-format flags field
// means, position by position. Kernels print two layouts, told apart by
// the field's length:
//
//   - 7 characters: PREEMPT_RT kernels built with the out-of-tree RT patch
//     before 6.12 (Debian's 5.10-rt and 6.1-rt among them). Its lazy
//     preemption adds a lazy need-resched flag after need-resched and a lazy
//     preempt depth after the preempt depth: irqs, need-resched,
//     need-resched-lazy, context, preempt depth, lazy-preempt depth,
//     migrate-disable depth.
//   - otherwise mainline's (6.12-rt and later RT kernels too): irqs,
//     need-resched, context, preempt depth, migrate-disable depth; older
//     kernels stop after the preempt depth (4 characters).
func ExplainFlags(flags string) []string {
	explain := []func(rune) string{irqState, needResched, irqContext, depth("preempt depth"), depth("migrate-disable depth")}
	if len([]rune(flags)) == 7 {
		explain = []func(rune) string{irqState, needReschedRT, needReschedLazy, irqContext,
			depth("preempt depth"), depth("lazy-preempt depth"), depth("migrate-disable depth")}
	}
	var out []string
	for i, c := range []rune(flags) {
		if i < len(explain) {
			out = append(out, explain[i](c))
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

// needResched: which of the flags that ask for a reschedule are set. The
// lazy one (TIF_NEED_RESCHED_LAZY) shows here from 6.12; the RT patch's
// 7-character layout shows it in a position of its own (needReschedLazy),
// and there this one is 'n' or '.' (with the patch's lazy preemption built
// in, 'N' and 'p' are not printed).
func needResched(c rune) string {
	switch c {
	case 'B':
		return "reschedule pending (TIF_NEED_RESCHED, TIF_NEED_RESCHED_LAZY, PREEMPT_NEED_RESCHED)"
	case 'N':
		return "reschedule pending (TIF_NEED_RESCHED, PREEMPT_NEED_RESCHED)"
	case 'b':
		return "reschedule pending (TIF_NEED_RESCHED, TIF_NEED_RESCHED_LAZY)"
	case 'n':
		return "reschedule pending (TIF_NEED_RESCHED)"
	case 'p':
		return "reschedule pending (PREEMPT_NEED_RESCHED)"
	case 'L':
		return "lazy reschedule pending (TIF_NEED_RESCHED_LAZY, PREEMPT_NEED_RESCHED)"
	case 'l':
		return "lazy reschedule pending (TIF_NEED_RESCHED_LAZY)"
	case '.':
		return "no reschedule pending"
	}
	return fmt.Sprintf("need-resched %q", c)
}

// needReschedRT is need-resched in the RT patch's 7-character layout. With
// the patch's lazy preemption built in (PREEMPT_LAZY, on x86 and arm64),
// only TIF_NEED_RESCHED alone prints 'n': with PREEMPT_NEED_RESCHED set,
// alone or with it, the kernel prints '.'. So '.' does not promise that
// nothing is pending.
func needReschedRT(c rune) string {
	if c == '.' {
		return "no reschedule pending (or one with PREEMPT_NEED_RESCHED set: this layout shows that as '.' too)"
	}
	return needResched(c)
}

// needReschedLazy is the RT patch's own position (7-character layout).
func needReschedLazy(c rune) string {
	switch c {
	case 'L':
		return "lazy reschedule pending (TIF_NEED_RESCHED_LAZY)"
	case '.':
		return "no lazy reschedule pending"
	}
	return fmt.Sprintf("need-resched-lazy %q", c)
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

// depth explains a depth position: '.' is 0, else the kernel prints the
// count as a hex digit.
func depth(what string) func(rune) string {
	return func(c rune) string {
		if c == '.' {
			return what + " 0"
		}
		return fmt.Sprintf("%s %c", what, c)
	}
}
