// A __data_loc string of a tracepoint record, read with BCC's TP_DATA_LOC_READ_CONST.
// run: ebpf-hello run exec_dataloc.c
TRACEPOINT_PROBE(sched, sched_process_exec)
{
    char fn[64];
    TP_DATA_LOC_READ_CONST(&fn, filename, sizeof(fn));
    bpf_trace_printk("exec %s", fn);
    return 0;
}
