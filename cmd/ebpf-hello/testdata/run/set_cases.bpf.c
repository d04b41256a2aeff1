// run test: globals a learner may try to --set. Only targ_pid is a
// setting: pid_filter is const without volatile (clang folds it into the
// code, as in the first lesson of a popular tutorial), my_pid is a result
// the program writes.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const int pid_filter = 0;
const volatile int targ_pid = 0;
int my_pid = 0;

SEC("tracepoint/syscalls/sys_enter_write")
int run_set_cases(void *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	if (pid_filter && pid != pid_filter)
		return 0;
	if (targ_pid && pid != targ_pid)
		return 0;
	my_pid = pid;
	return 0;
}
