// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * firstevent: how long a tracer takes to show its first event. Opens MARKER
 * every 5 ms, under the command name "ehbench" (the benchmark's tracers
 * filter on it), until OUTPUT (the tracer's output file) contains MARKER's
 * path, then prints the wall-clock time of that moment in milliseconds since
 * the epoch, so the caller subtracts the time it started the tracer. Gives up
 * (exit 1) after TIMEOUT seconds, or as soon as PID (the tracer) is gone.
 *
 * The path passed to open() lives in a static buffer, not in argv: argv sits
 * at the very top of the stack, and a tracer that copies a fixed 255 bytes
 * from the name (the tutorial's hello2.c does) would read past the stack's
 * end and get nothing.
 *
 *   firstevent MARKER OUTPUT TIMEOUT [PID]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* alive: PID exists and has not exited (a zombie its parent has not reaped yet is gone too). */
static int alive(pid_t pid)
{
	char name[64], state = 0;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/stat", (int)pid);
	f = fopen(name, "r");
	if (!f)
		return kill(pid, 0) == 0 || errno != ESRCH;
	/* pid (comm) state ...: the comm may hold spaces and parentheses, so read after the last ')'. */
	char line[512];
	size_t n = fread(line, 1, sizeof(line) - 1, f);

	fclose(f);
	line[n] = '\0';
	char *p = strrchr(line, ')');

	if (p && p[1] == ' ')
		state = p[2];
	return state != 'Z' && state != 'X';
}

static char path[4096];

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: firstevent MARKER OUTPUT TIMEOUT [PID]\n");
		return 2;
	}
	const char *marker = path, *output = argv[2];
	long long deadline = now_ms(CLOCK_MONOTONIC) + atol(argv[3]) * 1000LL;
	pid_t pid = argc > 4 ? atoi(argv[4]) : 0;
	size_t mlen = strlen(argv[1]);

	if (mlen >= sizeof(path)) {
		fprintf(stderr, "firstevent: path too long\n");
		return 2;
	}
	memcpy(path, argv[1], mlen + 1);
	/* Read the output as it grows; keep the last mlen-1 bytes so a marker
	 * split across two reads is still found. */
	size_t cap = 65536 + mlen, have = 0;
	char *buf = malloc(cap + 1);
	int out = -1;
	unsigned long polls = 0; /* the tracer is checked every 100 ms */

	prctl(PR_SET_NAME, "ehbench", 0, 0, 0);
	if (!buf)
		return 1;
	while (now_ms(CLOCK_MONOTONIC) < deadline) {
		int fd = open(marker, O_RDONLY);

		if (fd >= 0)
			close(fd);
		if (out < 0)
			out = open(output, O_RDONLY);
		for (ssize_t n; out >= 0 && (n = read(out, buf + have, cap - have)) > 0;) {
			have += n;
			buf[have] = '\0';
			if (memmem(buf, have, marker, mlen)) {
				printf("%lld\n", now_ms(CLOCK_REALTIME));
				return 0;
			}
			if (have > mlen) {
				memmove(buf, buf + have - (mlen - 1), mlen - 1);
				have = mlen - 1;
			}
		}
		if (pid > 0 && ++polls % 20 == 0 && !alive(pid)) {
			fprintf(stderr, "firstevent: the tracer (pid %d) exited before showing an event\n", pid);
			return 1;
		}
		usleep(5000);
	}
	fprintf(stderr, "firstevent: no event naming %s in %s within %s s\n", marker, output, argv[3]);
	return 1;
}
