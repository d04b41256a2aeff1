package verifierhelp

import (
	"strings"
	"testing"
	"unicode"
)

// The logs below are written for these tests in the verifier's format
// (Linux 6.18 unless said otherwise), as libbpf hands them over.
func lines(s string) []string { return strings.Split(strings.Trim(s, "\n"), "\n") }

type explainCase struct {
	name   string
	log    string
	kind   Kind
	file   string
	line   int
	source string
	en     []string // in the English sentence
	zh     []string // in the Chinese sentence
}

var explainCases = []explainCase{
	{
		name: "map value used without a NULL check",
		log: `
arg#0 reference type('UNKNOWN ') size cannot be determined: -22
0: R1=ctx() R10=fp0
; u32 key = bpf_get_current_pid_tgid() >> 32; @ count.bpf.c:21
0: (85) call bpf_get_current_pid_tgid#14      ; R0=scalar()
1: (77) r0 >>= 32                     ; R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
2: (63) *(u32 *)(r10 -4) = r0         ; R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0 fp-8=mmmm????
3: (bf) r2 = r10                      ; R2=fp0 R10=fp0
;  @ count.bpf.c:0
4: (07) r2 += -4                      ; R2=fp-4
; u64 *seen = bpf_map_lookup_elem(&seen_by_pid, &key); @ count.bpf.c:22
5: (18) r1 = 0xffff8881034a2c00       ; R1=map_ptr(map=seen_by_pid,ks=4,vs=8)
7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=seen_by_pid,ks=4,vs=8)
; (*seen)++; @ count.bpf.c:23
8: (79) r1 = *(u64 *)(r0 +0)
R0 invalid mem access 'map_value_or_null'
processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`,
		kind: NullCheck, file: "count.bpf.c", line: 23, source: "(*seen)++;",
		en: []string{"bpf_map_lookup_elem", "NULL", "if (!value) return 0;"},
		zh: []string{"bpf_map_lookup_elem", "映射", "NULL", "if (!value) return 0;"},
	},
	{
		name: "map value passed to a helper without a NULL check",
		log: `
; char *slot = bpf_map_lookup_elem(&names, &pid); @ names.bpf.c:17
5: (18) r1 = 0xffff888104894c00       ; R1=map_ptr(map=names,ks=4,vs=16)
7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=names,ks=4,vs=16)
; bpf_get_current_comm(slot, 16); @ names.bpf.c:18
8: (bf) r1 = r0                       ; R0=map_value_or_null(id=1,map=names,ks=4,vs=16) R1=map_value_or_null(id=1,map=names,ks=4,vs=16)
9: (b4) w2 = 16                       ; R2=16
10: (85) call bpf_get_current_comm#16
R1 type=map_value_or_null expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`,
		kind: NullCheck, file: "names.bpf.c", line: 18,
		en: []string{"bpf_map_lookup_elem", "NULL"},
		zh: []string{"映射", "NULL"},
	},
	{
		name: "ring buffer sample used without a NULL check",
		log: `
; struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0); @ ring.bpf.c:30
0: (18) r1 = 0xffff888228ef6000       ; R1=map_ptr(map=events,ks=0,vs=0)
2: (b7) r2 = 16                       ; R2=16
3: (b7) r3 = 0                        ; R3=0
4: (85) call bpf_ringbuf_reserve#131          ; R0=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=16) refs=2
; e->pid = bpf_get_current_pid_tgid() >> 32; @ ring.bpf.c:31
5: (bf) r6 = r0                       ; R0=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=16) R6=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=16) refs=2
6: (85) call bpf_get_current_pid_tgid#14      ; R0=scalar() refs=2
7: (77) r0 >>= 32                     ; R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) refs=2
8: (63) *(u32 *)(r6 +0) = r0
R6 invalid mem access 'ringbuf_mem_or_null'
processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: NullCheck, file: "ring.bpf.c", line: 31,
		en: []string{"bpf_ringbuf_reserve", "ring buffer is full", "if (!e) return 0;"},
		zh: []string{"bpf_ringbuf_reserve", "环形缓冲区"},
	},
	{
		name: "NULL on the path where a reserve failed (run's lost-sample counting tests it first)",
		log: `
; struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0); @ ringnull.bpf.c:17
0: (18) r1 = 0xffff888228ef6000       ; R1=map_ptr(map=events,ks=0,vs=0)
2: (b7) r2 = 4                        ; R2=4
3: (b7) r3 = 0                        ; R3=0
4: (85) call bpf_ringbuf_reserve#131          ; R0=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=4) refs=2
5: (bf) r6 = r0                       ; R0=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=4) R6=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=4) refs=2
; if (!sample) @ ebpf_hello_lost.h:37
6: (55) if r6 != 0x0 goto pc+11       ; R6=0
7: (b4) w1 = 0                        ; R1=0
; *n += 1; @ ebpf_hello_lost.h:32
15: (79) r1 = *(u64 *)(r0 +0)         ; R0=map_value(map=ebpf_hello_lost,ks=4,vs=8) R1=scalar()
16: (07) r1 += 1                      ; R1=scalar()
17: (7b) *(u64 *)(r0 +0) = r1         ; R0=map_value(map=ebpf_hello_lost,ks=4,vs=8) R1=scalar()
; e->pid = bpf_get_current_pid_tgid() >> 32; @ ringnull.bpf.c:18
18: (85) call bpf_get_current_pid_tgid#14     ; R0=scalar()
19: (77) r0 >>= 32                    ; R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
20: (63) *(u32 *)(r6 +0) = r0
R6 invalid mem access 'scalar'
processed 19 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`,
		kind: NullCheck, file: "ringnull.bpf.c", line: 18,
		en: []string{"bpf_ringbuf_reserve", "NULL"},
		zh: []string{"环形缓冲区", "NULL"},
	},
	{
		name: "a NULL pointer of no known origin",
		log: `
; volatile char *p = 0; return *p; @ zero.bpf.c:8
0: (b7) r1 = 0                        ; R1_w=0
1: (71) r0 = *(u8 *)(r1 +0)
R1 invalid mem access 'scalar'
`,
		kind: NullCheck, file: "zero.bpf.c", line: 8,
		en: []string{"is NULL on a path", "if (!p) return 0;"},
		zh: []string{"验证器", "NULL"},
	},
	{
		name: "a kernel pointer dereferenced directly",
		log: `
0: R1=ctx() R10=fp0
; struct task_struct *task = (void *)bpf_get_current_task(); @ parent.bpf.c:9
0: (85) call bpf_get_current_task#35          ; R0=scalar()
; int ppid = task->real_parent->tgid; @ parent.bpf.c:10
1: (79) r1 = *(u64 *)(r0 +1280)
R0 invalid mem access 'scalar'
processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: DirectRead, file: "parent.bpf.c", line: 10, source: "int ppid = task->real_parent->tgid;",
		en: []string{"bpf_probe_read_kernel()", "BPF_CORE_READ()", "bpf_probe_read_user"},
		zh: []string{"bpf_probe_read_kernel()", "BPF_CORE_READ()", "跟踪点"},
	},
	{
		name: "a user pointer dereferenced directly, on Linux 5.15 (no file:line, 'inv')",
		log: `
0: R1=ctx(id=0,off=0,imm=0) R10=fp0
; const char *name = ctx->filename;
0: (79) r1 = *(u64 *)(r1 +24)         ; R1_w=inv(id=0)
; char c = name[0];
1: (71) r3 = *(u8 *)(r1 +0)
R1 invalid mem access 'inv'
processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: DirectRead, source: "char c = name[0];",
		en: []string{"bpf_probe_read_user_str()"},
		zh: []string{"bpf_probe_read_user_str()"},
	},
	{
		name: "user memory through a BTF pointer",
		log: `
; int BPF_PROG(on_open, const char __user *name) @ open.bpf.c:12
0: (79) r1 = *(u64 *)(r1 +0)
1: R1_w=user_ptr_char()
; char c = *name; @ open.bpf.c:14
1: (71) r1 = *(u8 *)(r1 +0)
R1 is ptr_char access user memory: off=0
`,
		kind: DirectRead, file: "open.bpf.c", line: 14,
		en: []string{"bpf_probe_read_user()"},
		zh: []string{"bpf_probe_read_user()"},
	},
	{
		name: "GPL-only helper from a program with another license",
		log: `
0: R1=ctx() R10=fp0
; bpf_printk("Hello, World!"); @ hello.bpf.c:9
0: (18) r1 = 0xffff8885aaa96d38       ; R1=map_value(map=object.rodata,ks=4,vs=14)
2: (b4) w2 = 14                       ; R2=14
3: (85) call bpf_trace_printk#6
cannot call GPL-restricted function from non-GPL compatible program
processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: GPLOnly, file: "hello.bpf.c", line: 9,
		en: []string{"bpf_trace_printk (bpf_printk)", `SEC("license") = "GPL"`},
		zh: []string{"bpf_trace_printk (bpf_printk)", "GPL", "许可证"},
	},
	{
		name: "kernel struct read from a program with another license",
		log: `
; return task->pid; @ pid.bpf.c:11
2: (61) r0 = *(u32 *)(r1 +2456)
Cannot access kernel 'struct task_struct' from non-GPL compatible program
`,
		kind: GPLOnly, file: "pid.bpf.c", line: 11,
		en: []string{"struct task_struct", "GPL"},
		zh: []string{"struct task_struct", "许可证"},
	},
	{
		name: "helper this program type may not call",
		log: `
; return bpf_redirect(1, 0); @ redirect.bpf.c:10
4: (b4) w1 = 1                        ; R1=1
5: (b7) r2 = 0                        ; R2=0
6: (85) call bpf_redirect#23
program of this type cannot use helper bpf_redirect#23
processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: HelperNotAllowed, file: "redirect.bpf.c", line: 10,
		en: []string{"bpf_redirect cannot be called", "SEC()"},
		zh: []string{"bpf_redirect", "辅助函数", "SEC()"},
	},
	{
		name: "helper this program type may not call, Linux 5.10 wording",
		log: `
; bpf_skb_load_bytes(ctx, 0, buf, 4);
3: (85) call bpf_skb_load_bytes#26
unknown func bpf_skb_load_bytes#26
`,
		kind: HelperNotAllowed, source: "bpf_skb_load_bytes(ctx, 0, buf, 4);",
		en: []string{"bpf_skb_load_bytes cannot be called"},
		zh: []string{"bpf_skb_load_bytes"},
	},
	{
		name: "a number where a helper wants a pointer",
		log: `
; bpf_map_update_elem(&counts, (void *)(long)pid, &one, BPF_ANY); @ update.bpf.c:18
6: (18) r1 = 0xffff88812f72cc00       ; R1=map_ptr(map=counts,ks=4,vs=8)
8: (bf) r2 = r0                       ; R0=scalar(id=1,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R2=scalar(id=1,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
9: (b7) r4 = 0                        ; R4=0
10: (85) call bpf_map_update_elem#2
R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: WrongArgument, file: "update.bpf.c", line: 18,
		en: []string{"argument 2 of bpf_map_update_elem", "a plain number", "&key"},
		zh: []string{"bpf_map_update_elem 的第 2 个参数", "一个普通数字", "&key"},
	},
	{
		name: "not a map where a helper wants one",
		log: `
; v = bpf_map_lookup_elem(&key, &key); @ lookup.bpf.c:15
4: (bf) r1 = r10                      ; R1=fp0 R10=fp0
5: (07) r1 += -4                      ; R1=fp-4
6: (85) call bpf_map_lookup_elem#1
R1 type=fp expected=map_ptr
`,
		kind: WrongArgument, file: "lookup.bpf.c", line: 15,
		en: []string{"argument 1 of bpf_map_lookup_elem must be a map", "&my_map"},
		zh: []string{"映射", "&my_map"},
	},
	{
		name: "loop the verifier cannot bound (jump sequence)",
		log: `
22: (05) goto pc-17
; steps++; @ collatz.bpf.c:13
6: (07) r3 += 1                       ; R3=8191
7: (bf) r0 = r1                       ; R0=scalar(id=8192) R1=scalar(id=8192)
; while (n != 1) { @ collatz.bpf.c:11
8: (55) if r1 != 0x1 goto pc+6
The sequence of 8193 jumps is too complex.
processed 98301 insns (limit 1000000) max_states_per_insn 4 total_states 1174 peak_states 1174 mark_read 0
`,
		kind: Loop, file: "collatz.bpf.c", line: 11,
		en: []string{"cannot prove this loop ends", "i < 64"},
		zh: []string{"验证器", "循环", "i < 64"},
	},
	{
		name: "program too large to check",
		log: `
7: (05) goto pc-6
; total += bpf_get_prandom_u32() & i; @ sum.bpf.c:11
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (5c) w0 &= w7
BPF program is too large. Processed 1000001 insn
processed 1000001 insns (limit 1000000) max_states_per_insn 4 total_states 23811 peak_states 23811 mark_read 0
`,
		kind: Loop, file: "sum.bpf.c", line: 11,
		en: []string{"1 million instructions"},
		zh: []string{"100 万条指令"},
	},
	{
		name: "infinite loop",
		log: `
; while (!stop) @ spin.bpf.c:10
2: (61) r1 = *(u32 *)(r10 -4)         ; R1=0 R10=fp0 fp-8=0000????
3: (16) if w1 == 0x0 goto pc-2        ; R1=0
2: (61) r1 = *(u32 *)(r10 -4)
infinite loop detected at insn 3
cur state: R1=0 R10=fp0 fp-8=0000????
old state: R1=P0 R10=fp0 fp-8=0000????
processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`,
		kind: Loop, file: "spin.bpf.c", line: 10,
		en: []string{"never ends"},
		zh: []string{"永远不会结束"},
	},
	{
		name: "back-edge (a loop where none is allowed), with the verifier's two places",
		log: `
func#0 @0
12: ; } while (i < n); @ backedge.bpf.c:20
5: ; do { @ backedge.bpf.c:16
back-edge from insn 12 to 5
`,
		kind: Loop, file: "backedge.bpf.c", line: 16,
		en: []string{"loop"},
		zh: []string{"循环"},
	},
	{
		name: "stack of the calls together over 512 bytes (no place in the log)",
		log: `
combined stack size of 3 calls is 704. Too large
processed 5729 insns (limit 1000000) max_states_per_insn 4 total_states 75 peak_states 75 mark_read 0
`,
		kind: StackTooLarge,
		en:   []string{"704 bytes", "512-byte", "BPF_MAP_TYPE_PERCPU_ARRAY"},
		zh:   []string{"704 字节", "512 字节", "映射"},
	},
	{
		name: "stack write beyond 512 bytes",
		log: `
; buf[0] = 1; @ big.bpf.c:9
0: (b7) r1 = 1                        ; R1_w=1
1: (73) *(u8 *)(r10 -600) = r1
invalid write to stack R10 off=-600 size=1
`,
		kind: StackTooLarge, file: "big.bpf.c", line: 9,
		en: []string{"512-byte"},
		zh: []string{"512 字节"},
	},
	{
		name: "struct padding sent to a perf buffer (as an unprivileged loader sees it)",
		log: `
; e.ts = bpf_ktime_get_ns(); @ send.bpf.c:24
9: (85) call bpf_ktime_get_ns#5       ; R0_w=scalar()
10: (7b) *(u64 *)(r10 -24) = r0       ; R0_w=scalar() R10=fp0 fp-24_w=mmmmmmmm
; bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e)); @ send.bpf.c:26
11: (bf) r4 = r10                     ; R4_w=fp0 R10=fp0
12: (07) r4 += -32                    ; R4_w=fp-32
13: (bf) r1 = r6                      ; R1_w=ctx() R6=ctx()
14: (18) r2 = 0xffff888104894c00      ; R2_w=map_ptr(map=events,ks=4,vs=4)
16: (18) r3 = 0xffffffff              ; R3_w=0xffffffff
18: (b7) r5 = 24                      ; R5_w=24
19: (85) call bpf_perf_event_output#25
invalid indirect read from stack R4 off -32+4 size 24
`,
		kind: UninitStack, file: "send.bpf.c", line: 26,
		en: []string{"never written", "padding", "__builtin_memset(&e, 0, sizeof(e));"},
		zh: []string{"从未写入", "填充", "__builtin_memset(&e, 0, sizeof(e));"},
	},
	{
		name: "stack read before written, older wording",
		log: `
; return x; @ uninit.bpf.c:7
0: (79) r0 = *(u64 *)(r10 -8)
invalid read from stack off -8+0 size 8
`,
		kind: UninitStack, file: "uninit.bpf.c", line: 7,
		en: []string{"never written"},
		zh: []string{"从未写入"},
	},
	{
		name: "index into a stack array not bounded tightly enough",
		log: `
; u32 i = bpf_get_prandom_u32() & 31; @ pick.bpf.c:11
5: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
6: (54) w0 &= 31                      ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=31,var_off=(0x0; 0x1f))
; bpf_printk("letter %c", comm[i]); @ pick.bpf.c:12
7: (0f) r6 += r0                      ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=31,var_off=(0x0; 0x1f)) R6=fp(off=-16,smin=smin32=0,smax=umax=smax32=umax32=31,var_off=(0x0; 0x1f))
8: (71) r3 = *(u8 *)(r6 +0)
invalid variable-offset read from stack R6 var_off=(0x0; 0x1f) off=-16 size=1
processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`,
		kind: OutOfBounds, file: "pick.bpf.c", line: 12,
		en: []string{"stack", "sizeof(buf)"},
		zh: []string{"栈", "sizeof(buf)"},
	},
	{
		name: "index into a stack array not checked at all",
		log: `
; bpf_printk("letter %c", comm[i]); @ pick.bpf.c:12
8: (71) r3 = *(u8 *)(r6 +0)
invalid unbounded variable-offset read from stack R6
`,
		kind: OutOfBounds, file: "pick.bpf.c", line: 12,
		en: []string{"stack"},
		zh: []string{"栈"},
	},
	{
		name: "index past the end of a map value",
		log: `
; slot[i] += 1; @ slots.bpf.c:21
11: (67) r0 <<= 3                     ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=120,var_off=(0x0; 0x78))
12: (0f) r6 += r0                     ; R6=map_value(map=slots,ks=4,vs=64,smin=smin32=0,smax=umax=smax32=umax32=120,var_off=(0x0; 0x78))
13: (79) r1 = *(u64 *)(r6 +0)
invalid access to map value, value_size=64 off=120 size=8
R6 max value is outside of the allowed memory range
processed 13 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`,
		kind: OutOfBounds, file: "slots.bpf.c", line: 21,
		en: []string{"map value (64 bytes long)"},
		zh: []string{"映射值", "64 字节"},
	},
	{
		name: "packet read past the checked part",
		log: `
; if (ip->protocol == IPPROTO_TCP) @ xdp.bpf.c:30
11: (71) r3 = *(u8 *)(r1 +23)
invalid access to packet, off=23 size=1, R1(id=0,off=23,r=14)
R1 offset is outside of the packet
`,
		kind: OutOfBounds, file: "xdp.bpf.c", line: 30,
		en: []string{"data_end"},
		zh: []string{"data_end", "数据包"},
	},
	{
		name: "context read outside its struct",
		log: `
; bpf_printk("%ld", ctx->extra); @ args.bpf.c:19
0: (79) r3 = *(u64 *)(r1 +56)
invalid bpf_context access off=56 size=8
`,
		kind: OutOfBounds, file: "args.bpf.c", line: 19,
		en: []string{"format file"},
		zh: []string{"跟踪点", "format"},
	},
	{
		name: "index that may be negative",
		log: `
; total += vals[i]; @ neg.bpf.c:14
9: (79) r1 = *(u64 *)(r0 +0)
R0 min value is negative, either use unsigned index or do a if (index >=0) check.
`,
		kind: OutOfBounds, file: "neg.bpf.c", line: 14,
		en: []string{"u32 i"},
		zh: []string{"u32 i"},
	},
	{
		name: "unbounded index into read-only data",
		log: `
; bpf_printk("letter %c", letters[i]); @ letters.bpf.c:11
4: (0f) r2 += r1                      ; R2=map_value(map=.rodata.str1.1,ks=4,vs=16,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
5: (71) r3 = *(u8 *)(r2 +0)
R2 unbounded memory access, make sure to bounds check any such access
`,
		kind: OutOfBounds, file: "letters.bpf.c", line: 11,
		en: []string{"upper bound"},
		zh: []string{"上限"},
	},
	{
		name: "BCC program: the line is the learner's through #line, with no text",
		log: `
4: (07) r2 += -4                      ; R2=fp-4
;  @ hello.c:6
5: (18) r1 = 0xffff888104894400       ; R1=map_ptr(map=counts,ks=4,vs=8)
7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=counts,ks=4,vs=8)
;  @ hello.c:7
8: (79) r1 = *(u64 *)(r0 +0)
R0 invalid mem access 'map_value_or_null'
`,
		kind: NullCheck, file: "hello.c", line: 7,
		en: []string{"bpf_map_lookup_elem"},
		zh: []string{"映射"},
	},
}

func TestExplain(t *testing.T) {
	for _, c := range explainCases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"en", "zh"} {
				e, ok := Explain(lines(c.log), lang)
				if !ok {
					t.Fatalf("%s: not recognised", lang)
				}
				if e.Kind != c.kind || e.File != c.file || e.Line != c.line {
					t.Errorf("%s: kind %s at %s:%d, want %s at %s:%d", lang, e.Kind, e.File, e.Line, c.kind, c.file, c.line)
				}
				if c.source != "" && e.Source != c.source {
					t.Errorf("%s: source %q, want %q", lang, e.Source, c.source)
				}
				want := c.en
				if lang == "zh" {
					want = c.zh
				}
				for _, w := range want {
					if !strings.Contains(e.Sentence, w) {
						t.Errorf("%s: sentence lacks %q:\n%s", lang, w, e.Sentence)
					}
				}
				if hasHan(e.Sentence) != (lang == "zh") {
					t.Errorf("%s sentence in the wrong language: %s", lang, e.Sentence)
				}
				if strings.Contains(e.Sentence, "%!") {
					t.Errorf("%s: formatting error: %s", lang, e.Sentence)
				}
				if e.Reason == "" {
					t.Errorf("%s: no reason line", lang)
				}
			}
		})
	}
}

// Every kind the package knows is covered above.
func TestEveryKindHasACase(t *testing.T) {
	seen := map[Kind]bool{}
	for _, c := range explainCases {
		seen[c.kind] = true
	}
	for _, k := range []Kind{NullCheck, Loop, OutOfBounds, DirectRead, UninitStack, HelperNotAllowed, GPLOnly, WrongArgument, StackTooLarge} {
		if !seen[k] {
			t.Errorf("no case for %s", k)
		}
	}
}

func TestString(t *testing.T) {
	e, _ := Explain(lines(explainCases[0].log), "en")
	if got := e.String(); !strings.HasPrefix(got, "count.bpf.c:23: a map lookup (bpf_map_lookup_elem, or map.lookup() in BCC) returns NULL") {
		t.Errorf("String() = %q", got)
	}
	old := Explanation{Sentence: "s", Source: "char c = name[0];"}
	if got := old.String(); got != "`char c = name[0];`: s" {
		t.Errorf("no file: %q", got)
	}
	if got := (Explanation{Sentence: "s"}).String(); got != "s" {
		t.Errorf("no place: %q", got)
	}
}

func TestNotRecognised(t *testing.T) {
	for _, log := range []string{
		"",
		"arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n0: R1=ctx() R10=fp0",
		"; x = 1; @ a.bpf.c:3\n0: (b7) r0 = 0\nAt program exit the register R0 has unknown scalar value should have been in [0, 1]",
		// Register state text that looks like a message must not count.
		"7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=m,ks=4,vs=8)\nsomething new the kernel says",
	} {
		if e, ok := Explain(lines(log), "en"); ok {
			t.Errorf("%q explained as %+v", log, e)
		}
	}
}

// TooLarge: an E2BIG whose log says nothing known still gets the loop sentence, at the last line shown.
func TestTooLarge(t *testing.T) {
	e := TooLarge(lines(`
; for (i = 0; i < n; i++) @ big.bpf.c:40
90: (bf) r1 = r6
`), "zh")
	if e.Kind != Loop || e.File != "big.bpf.c" || e.Line != 40 || !strings.Contains(e.Sentence, "循环") {
		t.Errorf("TooLarge = %+v", e)
	}
}

// The reason is found after the last instruction even when the log goes on
// with other lines (libbpf's own notes, the statistics).
func TestReasonAmongTrailingLines(t *testing.T) {
	e, ok := Explain(lines(`
; bpf_printk("x"); @ a.bpf.c:5
3: (85) call bpf_trace_printk#6
cannot call GPL-restricted function from non-GPL compatible program
verification time 20 usec
stack depth 0
processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`), "en")
	if !ok || e.Kind != GPLOnly || e.Line != 5 {
		t.Errorf("got %+v %v", e, ok)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Each message takes the same arguments in both languages.
func TestMessagesAgree(t *testing.T) {
	all := []msg{mNullMap, mNullRing, mNullOther, mNullZero, mLoop, mInfiniteLoop, mStackCombined, mStackLimit,
		mUninit, mStackBounds, mMapBounds, mPacketBounds, mContextBounds, mNegativeIndex, mMemoryBounds,
		mDirectRead, mUserRead, mHelper, mGPL, mGPLStruct, mThisHelper, mWrongArg, mWantMemory, mHintAddress,
		mHintMap, mHintCtx, mHintCheck, mTypeScalar, mTypeStack, mTypeCtx, mTypeMap, mTypeMapValue, mTypeMapKey,
		mTypePacket, mTypeKernel}
	for _, m := range all {
		en, zh := text("en", m, 1, "x", "y", "z", "w"), text("zh", m, 1, "x", "y", "z", "w")
		if strings.Count(en, "%!") != strings.Count(zh, "%!") {
			t.Errorf("arguments differ:\n%s\n%s", en, zh)
		}
		if !hasHan(zh) {
			t.Errorf("not Chinese: %s", zh)
		}
	}
}

func FuzzExplain(f *testing.F) {
	for _, c := range explainCases {
		f.Add(c.log)
	}
	f.Fuzz(func(t *testing.T, log string) {
		e, ok := Explain(strings.Split(log, "\n"), "zh")
		if ok && (e.Sentence == "" || e.Line < 0) {
			t.Errorf("%+v", e)
		}
		_ = TooLarge(strings.Split(log, "\n"), "en")
	})
}

// A long log is read from its end.
func TestLongLog(t *testing.T) {
	log := []string{"; x = 1; @ long.bpf.c:3"}
	for i := 0; i < 100000; i++ {
		log = append(log, "5: (07) r1 += 1                       ; R1=scalar()")
	}
	log = append(log, "; *n += 1; @ long.bpf.c:9", "8: (79) r1 = *(u64 *)(r0 +0)", "R0 invalid mem access 'map_value_or_null'")
	e, ok := Explain(log, "en")
	if !ok || e.Kind != NullCheck || e.Line != 9 {
		t.Errorf("got %+v %v", e, ok)
	}
}
