module github.com/ebpf-hello/ebpf-hello

go 1.23.0

require (
	github.com/aquasecurity/libbpfgo v0.8.0-libbpf-1.5
	github.com/cilium/ebpf v0.19.0
	github.com/urfave/cli/v2 v2.27.7
	golang.org/x/sys v0.31.0
)

require (
	github.com/cpuguy83/go-md2man/v2 v2.0.7 // indirect
	github.com/russross/blackfriday/v2 v2.1.0 // indirect
	github.com/xrash/smetrics v0.0.0-20240521201337-686a1a2994c1 // indirect
)
