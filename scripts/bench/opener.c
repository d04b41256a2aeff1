// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * opener: the benchmark's workload. Opens and closes one file COUNT times,
 * as fast as it can or at RATE opens per second, under the command name
 * "ehbench" (so tracers can filter on it), and prints the seconds it took.
 *
 *   opener PATH COUNT [RATE]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: opener PATH COUNT [RATE]\n");
		return 2;
	}
	const char *path = argv[1];
	long count = atol(argv[2]);
	double rate = argc > 3 ? atof(argv[3]) : 0;

	prctl(PR_SET_NAME, "ehbench", 0, 0, 0);
	double start = now();
	for (long i = 0; i < count; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
		/* Pace in batches of 100: sleeping per open would cap the rate far below 200k/s. */
		if (rate > 0 && i % 100 == 99) {
			double ahead = start + (i + 1) / rate - now();

			if (ahead > 0) {
				struct timespec ts = { .tv_sec = (time_t)ahead, .tv_nsec = (long)((ahead - (time_t)ahead) * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
	}
	printf("%.6f\n", now() - start);
	return 0;
}
