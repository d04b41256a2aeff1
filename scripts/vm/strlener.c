/* make vmtest's uprobe check: a dynamically linked program (comm
 * "strlener") that calls libc's strlen, an IFUNC, through its GOT every
 * 10 ms until killed. Its libc, mapped and relocated, is what run reads the
 * IFUNC's choice from: no dlopen in the static ebpf-hello. It says "ready"
 * once in main, when the dynamic linker has filled its libc's GOT. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t (*volatile len)(const char *) = strlen; /* not inlined */
	volatile size_t n = 0;

	puts("ready");
	fflush(stdout);
	for (;;) {
		n += len(argv[argc - 1]);
		usleep(10000);
	}
	return 0;
}
