// BCC dialect: counts opens per process, using the lookup unchecked.
BPF_HASH(opens, u32, u64);

TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 *n = opens.lookup(&pid);
	*n += 1; /* FAULT: no NULL check */
	return 0;
}
