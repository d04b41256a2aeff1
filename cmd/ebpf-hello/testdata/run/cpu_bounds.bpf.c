// run test: a per-CPU frequency histogram kept in globals, the way
// libbpf-tools' cpufreq keeps one: a value read from a global array by CPU,
// scaled to a slot, clamped, and counted in another global's slots. clang
// 14 compiles the clamp with 32-bit registers under -mcpu=v3 in a way the
// verifier cannot bound ("math between map_value pointer and register
// with unbounded min value"); under v2 it can. run tries the other.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NCPU 256
#define NSLOTS 26
#define STEP 200

struct cpu_hist {
	__u32 slots[NSLOTS];
};

__u32 rate_of_cpu[NCPU] = {};
struct cpu_hist rates = {};

SEC("perf_event")
int sample_rate(void *ctx)
{
	__u64 slot, cpu = bpf_get_smp_processor_id();
	__u32 rate;

	if (cpu >= NCPU)
		return 0;
	rate = rate_of_cpu[cpu];
	rate_of_cpu[cpu] = rate + 1;
	slot = rate / STEP;
	if (slot >= NSLOTS)
		slot = NSLOTS - 1;
	__sync_fetch_and_add(&rates.slots[slot], 1);
	return 0;
}
