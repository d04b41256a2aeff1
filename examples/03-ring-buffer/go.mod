module ring-buffer

go 1.22

require github.com/aquasecurity/libbpfgo v0.8.0-libbpf-1.5
