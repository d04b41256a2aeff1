package valuenames

// kernelLargefile is the kernel's O_LARGEFILE (x86's 0100000); x/sys has
// glibc's, 0 on 64-bit, but the kernel's bit shows in flags it reports.
const kernelLargefile = 0o100000
