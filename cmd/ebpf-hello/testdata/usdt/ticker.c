// A program with a USDT probe (sys/sdt.h, as Postgres, Python or libc
// carry them): ehtest:tick fires once per line read, with the line's number
// and the program's first argument.
#include <stdio.h>
#include <sys/sdt.h>

int main(int argc, char **argv)
{
	const char *word = argc > 1 ? argv[1] : "";
	char line[64];
	long n = 0;

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		n++;
		DTRACE_PROBE2(ehtest, tick, n, word);
	}
	return 0;
}
