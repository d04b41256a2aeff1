// Workshop exercise C2 (solution, BCC dialect): a log2 histogram of the
// lengths of the file names processes open. `sudo ebpf-hello run namelen.c`;
// Ctrl-C prints it.

// One counter per power of two: bucket k counts lengths in [2^k, 2^(k+1)).
BPF_HISTOGRAM(dist);

// BCC attaches a TRACEPOINT_PROBE by its name; args is the tracepoint's record.
TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
    char name[256];
    // The name is in the process's memory: a user string. The length
    // returned counts the final NUL; a negative value is an error.
    int len = bpf_probe_read_user_str(name, sizeof(name), args->filename);

    if (len > 0)
        dist.increment(bpf_log2l(len));
    return 0;
}
