// SPDX-License-Identifier: MIT
/*
 * `sck audit` speed: the whole command (read, compile, evaluate every arch token, every number
 * and the argument values the program's constants lead to, every check, the recompiles of the
 * dead-rule check, output) on Docker's default profile for x86_64, x86 and x32, run as a process
 * the way a person runs it. The target is under 0.5 s; the figure is reported, never asserted.
 * libseccomp has no audit to set beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	const char *docker = SCK_TEST_SHARED_DIR "/profiles/docker-default.json";
	const char *sck = SCK_TEST_SRCDIR "/build/sck";
	double best = 1e9, sum = 0, cpu = 0;
	const int runs = 10;

	if (access(docker, R_OK) != 0 || access(sck, X_OK) != 0) {
		printf("audit: SKIP (%s or %s absent)\n", docker, sck);
		return 0;
	}
	for (int i = 0; i < runs; i++) {
		double t = now();
		pid_t pid = fork();
		int st = 0;
		struct rusage ru;

		if (pid == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(127);
			execl(sck, "sck", "audit", "-a", "x86_64", "-a", "x86", "-a", "x32", docker,
			      (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) > 1) {
			printf("audit: sck audit failed\n");
			return 1;
		}
		t = now() - t;
		sum += t;
		cpu += (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
		if (t < best)
			best = t;
	}
	/* wall time on a shared machine includes waiting for a core: CPU time says what it costs */
	printf("audit: sck audit of Docker's profile (x86_64, x86, x32): wall mean %.1f ms, best "
	       "%.1f ms; CPU mean %.1f ms; %d runs (target < 500 ms)\n",
	       1e3 * sum / runs, 1e3 * best, 1e3 * cpu / runs, runs);
	return 0;
}
