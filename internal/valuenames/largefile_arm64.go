package valuenames

// kernelLargefile is the kernel's O_LARGEFILE (arm64's 0400000); x/sys has
// glibc's, 0 on 64-bit, but the kernel's bit shows in flags it reports.
const kernelLargefile = 0o400000
