// Declared for vmlinux.go's cgo; defined in vmlinux.c.
int ebpfhello_dump_vmlinux_h(const char *btf_path, int out_fd);
int ebpfhello_dump_types(const char *btf_path, int out_fd, const char *records, const char *names, const char *forward);
