package output

// The field explanations in Chinese, for the tutorial's readers
// (`printk --lang zh`, or LANG=zh_CN.UTF-8). Terms follow the tutorial and
// the workshop's glossary.
var chinese = texts{
	task:        "任务（线程）名，取自它的 comm",
	taskUnknown: "没有记录任务名（内核显示为 <...>）",
	pid:         "内核运行的线程 id（内核称之为 pid）",
	tgid:        "进程 id（开启了 record-tgid）",
	cpu:         "运行它的 CPU 编号",
	timestamp:   "开机以来的秒数，按跟踪时钟计",
	message:     "程序打印的内容",
	printk:      "事件：由辅助函数 bpf_trace_printk 写入",
	oldAddress:  "5.9 之前的内核在这里给出一个地址，而不是 bpf_trace_printk",
	marker:      "由用户程序写入 trace_marker",
	otherEvent:  "写入这一行的事件",
	listSep:     "，",
	flagPhrases: []phrase{
		{"irqs and bottom halves off", "中断和下半部均关闭"},
		{"irqs off", "中断关闭"},
		{"bottom halves off", "下半部关闭"},
		{"irq state unknown", "中断状态未知"},
		{"irqs on", "中断开启"},
		{"irq state", "中断状态"},
		// Longer phrases first: the first English start that matches wins.
		{"no reschedule pending (or one with PREEMPT_NEED_RESCHED set: this layout shows that as '.' too)", "没有待处理的重新调度（或者有但同时置了 PREEMPT_NEED_RESCHED：这种格式对此也显示 '.'）"},
		{"no lazy reschedule pending", "没有待处理的延迟重新调度"},
		{"no reschedule pending", "没有待处理的重新调度"},
		{"lazy reschedule pending", "有待处理的延迟重新调度"},
		{"reschedule pending", "有待处理的重新调度"},
		{"need-resched-lazy", "延迟重新调度标志"},
		{"need-resched", "重新调度标志"},
		{"NMI inside a hard irq", "硬中断中的 NMI"},
		{"in NMI", "在 NMI 中"},
		{"hard irq inside a soft irq", "软中断中的硬中断"},
		{"in a hard irq", "在硬中断中"},
		{"in a soft irq", "在软中断中"},
		{"process context", "进程上下文"},
		{"context", "上下文"},
		{"lazy-preempt depth", "延迟抢占深度"},
		{"preempt depth", "抢占深度"},
		{"migrate-disable depth", "禁止迁移深度"},
	},
}
