package verifierhelp

import "fmt"

// msg is one sentence in English and Chinese, with the same fmt arguments.
// The Chinese follows the project's glossary (docs/workshop.zh.md): 映射
// map, 挂接 attach, 跟踪点 tracepoint, 环形缓冲区 ring buffer, 性能事件
// perf event, 验证器 verifier, 辅助函数 helper.
type msg struct{ en, zh string }

func text(lang string, m msg, args ...any) string {
	format := m.en
	if lang == "zh" {
		format = m.zh
	}
	return fmt.Sprintf(format, args...)
}

var (
	mNullMap = msg{
		"a map lookup (bpf_map_lookup_elem, or map.lookup() in BCC) returns NULL when the key is not in the map, and its result is used here without a check: test it right after the lookup, e.g. `if (!value) return 0;`",
		"映射查找（bpf_map_lookup_elem，BCC 中是 map.lookup()）在键不存在时返回 NULL，这里却没有检查就用了它的结果：查找之后立即检查，例如 `if (!value) return 0;`",
	}
	mNullRing = msg{
		"bpf_ringbuf_reserve (ringbuf_reserve() in BCC) returns NULL when the ring buffer is full, and its result is used here without a check: test it right after the reserve, e.g. `if (!e) return 0;`",
		"bpf_ringbuf_reserve（BCC 中是 ringbuf_reserve()）在环形缓冲区满时返回 NULL，这里却没有检查就用了它的结果：预留之后立即检查，例如 `if (!e) return 0;`",
	}
	mNullOther = msg{
		"this pointer may be NULL (helpers such as bpf_map_lookup_elem return NULL when they have nothing to give) and is used here without a check: test it first, e.g. `if (!p) return 0;`",
		"这个指针可能是 NULL（bpf_map_lookup_elem 等辅助函数没有结果时返回 NULL），这里没有检查就用了它：先检查，例如 `if (!p) return 0;`",
	}
	mNullZero = msg{
		"this pointer is NULL on a path the verifier followed (a lookup or reserve that can fail, used without a check): test it first, e.g. `if (!p) return 0;`",
		"在验证器走过的一条路径上这个指针是 NULL（来自可能失败的查找或预留，用之前没有检查）：先检查，例如 `if (!p) return 0;`",
	}

	mLoop = msg{
		"the verifier cannot prove this loop ends, or the program takes too many steps to check (it follows every path, up to 1 million instructions): give the loop a small fixed bound, e.g. `for (int i = 0; i < 64; i++)`, or do less in it",
		"验证器无法证明这个循环会结束，或者检查这个程序要走的步数太多（它会走遍每条路径，上限 100 万条指令）：给循环一个较小的固定上限，例如 `for (int i = 0; i < 64; i++)`，或者让循环做得少一些",
	}
	mInfiniteLoop = msg{
		"this loop never ends on a path the verifier followed (nothing in it changes what its condition tests): make each pass change that value, and give the loop a fixed bound, e.g. `i < 64`",
		"在验证器走过的一条路径上这个循环永远不会结束（循环里没有任何东西改变它的条件所检查的值）：让每一轮都改变那个值，并给循环一个固定上限，例如 `i < 64`",
	}

	mStackCombined = msg{
		"the stack of this program and the functions it calls adds up to %s bytes, over BPF's 512-byte limit: move big local variables (arrays, structs) into a map, e.g. a one-entry BPF_MAP_TYPE_PERCPU_ARRAY used as scratch space",
		"这个程序和它调用的函数所用的栈加起来有 %s 字节，超过了 BPF 512 字节的上限：把大的局部变量（数组、结构）移到映射里，例如用一个只有一项的 BPF_MAP_TYPE_PERCPU_ARRAY 作暂存空间",
	}
	mStackLimit = msg{
		"this uses more stack than BPF's 512-byte limit: move big local variables (arrays, structs) into a map, e.g. a one-entry BPF_MAP_TYPE_PERCPU_ARRAY used as scratch space",
		"这里用的栈超过了 BPF 512 字节的上限：把大的局部变量（数组、结构）移到映射里，例如用一个只有一项的 BPF_MAP_TYPE_PERCPU_ARRAY 作暂存空间",
	}

	mUninit = msg{
		"this reads stack memory that was never written (often the padding holes in a struct sent with bpf_perf_event_output, or a buffer filled only in part): zero the variable before filling it in, e.g. `__builtin_memset(&e, 0, sizeof(e));`",
		"这里读取了从未写入过的栈内存（常见的是用 bpf_perf_event_output 发送的结构中的填充空隙，或只填了一部分的缓冲区）：填写之前先把变量清零，例如 `__builtin_memset(&e, 0, sizeof(e));`",
	}

	mStackBounds = msg{
		"this access to a local array on the stack may fall outside it (its index is not checked, or not tightly enough): check the index first, e.g. `if (i >= sizeof(buf)) return 0;`",
		"这次对栈上局部数组的访问可能越界（下标没有检查，或检查得不够严）：先检查下标，例如 `if (i >= sizeof(buf)) return 0;`",
	}
	mMapBounds = msg{
		"this access may fall outside the map value (%s bytes long): check the index or offset first, e.g. `if (i >= LEN) return 0;`, so the verifier sees it stays inside",
		"这次访问可能超出映射值的范围（长 %s 字节）：先检查下标或偏移，例如 `if (i >= LEN) return 0;`，让验证器看到它不会越界",
	}
	mPacketBounds = msg{
		"this reads or writes past the part of the packet already compared with data_end: compare first, e.g. `if ((void *)(hdr + 1) > data_end) return 0;`",
		"这次读写超出了已经和 data_end 比较过的那部分数据包：先比较，例如 `if ((void *)(hdr + 1) > data_end) return 0;`",
	}
	mContextBounds = msg{
		"this reads outside the program's context (its ctx argument): the struct used for ctx does not match this program's type; for a tracepoint, take the fields from its format file, for a kprobe use PT_REGS_PARM1(ctx) and the like",
		"这里读取的位置超出了程序的上下文（参数 ctx）：给 ctx 用的结构和程序类型不符；跟踪点的字段请照它的 format 文件定义，kprobe 请用 PT_REGS_PARM1(ctx) 等宏",
	}
	mNegativeIndex = msg{
		"the index here may be negative: make it unsigned (e.g. `u32 i`) or check `if (i < 0) return 0;` before using it",
		"这里的下标可能是负数：把它声明为无符号数（例如 `u32 i`），或者在使用前检查 `if (i < 0) return 0;`",
	}
	mMemoryBounds = msg{
		"this access may fall outside the memory the pointer points to (its index or offset has no upper bound the verifier can see): check it against the size first, e.g. `if (i >= LEN) return 0;`",
		"这次访问可能超出指针所指内存的范围（验证器看不到下标或偏移的上限）：先和大小比较，例如 `if (i >= LEN) return 0;`",
	}

	mDirectRead = msg{
		"this dereferences a pointer the verifier sees only as a number (a kernel or user-space address, e.g. a tracepoint argument, PT_REGS_PARM1() or bpf_get_current_task()): read through it with bpf_probe_read_user() or bpf_probe_read_user_str() for user memory, bpf_probe_read_kernel() or BPF_CORE_READ() for kernel memory",
		"这里直接解引用了一个验证器只当作数字的指针（内核或用户空间地址，例如跟踪点参数、PT_REGS_PARM1() 或 bpf_get_current_task() 的结果）：用户空间内存请用 bpf_probe_read_user() 或 bpf_probe_read_user_str() 读取，内核内存请用 bpf_probe_read_kernel() 或 BPF_CORE_READ()",
	}
	mUserRead = msg{
		"this reads user-space memory directly, which a BPF program may not do: copy it first with bpf_probe_read_user() (bpf_probe_read_user_str() for a string)",
		"这里直接读取了用户空间内存，BPF 程序不能这样做：先用 bpf_probe_read_user() 复制出来（字符串用 bpf_probe_read_user_str()）",
	}

	mHelper = msg{
		"%s cannot be called from this type of BPF program (which helpers a program may call depends on its type, which its SEC() sets): use a helper meant for this type, or move this code to a program of a type that allows it",
		"这种类型的 BPF 程序不能调用 %s（程序能用哪些辅助函数取决于它的类型，类型由 SEC() 决定）：改用这种类型可用的辅助函数，或把这段代码移到允许调用它的程序类型中",
	}
	mGPL = msg{
		"%s may only be called from a GPL-compatible program, and this program's license is not: declare `char LICENSE[] SEC(\"license\") = \"GPL\";` (\"Dual BSD/GPL\" works too)",
		"只有与 GPL 兼容的程序才能调用 %s，而这个程序的许可证不是：声明 `char LICENSE[] SEC(\"license\") = \"GPL\";`（\"Dual BSD/GPL\" 也可以）",
	}
	mGPLStruct = msg{
		"only a GPL-compatible program may read kernel %s this way, and this program's license is not: declare `char LICENSE[] SEC(\"license\") = \"GPL\";` (\"Dual BSD/GPL\" works too)",
		"只有与 GPL 兼容的程序才能这样读取内核的 %s，而这个程序的许可证不是：声明 `char LICENSE[] SEC(\"license\") = \"GPL\";`（\"Dual BSD/GPL\" 也可以）",
	}
	mThisHelper = msg{"this helper", "这个辅助函数"}

	mWrongArg = msg{
		"argument %d of %s must be %s, but here it is %s: %s",
		"%[2]s 的第 %[1]d 个参数必须是%[3]s，这里传的却是%[4]s：%[5]s",
	}
	mWantMemory  = msg{"a pointer to memory (such as a local variable's address or a map value)", "指向内存的指针（例如局部变量的地址或映射值）"}
	mHintAddress = msg{"pass the address of a variable, e.g. `&key`, not its value", "传变量的地址，例如 `&key`，而不是它的值"}
	mHintMap     = msg{"pass the map itself, e.g. `&my_map`", "传映射本身，例如 `&my_map`"}
	mHintCtx     = msg{"pass the program's ctx argument", "传程序的参数 ctx"}
	mHintCheck   = msg{"check what this helper takes (man 7 bpf-helpers)", "查一下这个辅助函数要什么参数（man 7 bpf-helpers）"}

	mTypeScalar   = msg{"a plain number", "一个普通数字"}
	mTypeStack    = msg{"a pointer to the stack", "指向栈的指针"}
	mTypeCtx      = msg{"the program's context (ctx)", "程序的上下文（ctx）"}
	mTypeMap      = msg{"a map (such as `&my_map`)", "一个映射（例如 `&my_map`）"}
	mTypeMapValue = msg{"a pointer to a map value", "指向映射值的指针"}
	mTypeMapKey   = msg{"a pointer to a map key", "指向映射键的指针"}
	mTypePacket   = msg{"a packet pointer", "数据包指针"}
	mTypeKernel   = msg{"a pointer to a kernel object", "指向内核对象的指针"}
)
