// A target for the profiler test: it spends its time in spin_here, half
// of it in the kernel (getppid), until stdin closes.
#include <stdio.h>
#include <unistd.h>
#include <poll.h>

__attribute__((noinline)) long spin_here(long n)
{
	for (int i = 0; i < 1000; i++)
		n += getppid() + i;
	return n;
}

int main(void)
{
	struct pollfd in = {.fd = 0, .events = POLLIN};
	long n = 0;

	printf("ready\n");
	fflush(stdout);
	while (poll(&in, 1, 0) == 0)
		n = spin_here(n);
	return n == 42;
}
