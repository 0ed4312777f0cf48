// SPDX-License-Identifier: MIT
/*
 * The supervised commands on real programs, in one run: what `sck run -- /bin/true` (built-in
 * default profile) costs over running /bin/true directly, and the slowdown of a syscall-heavy
 * program (`find /usr/include -type f`) under `sck trace -o /dev/null` (with synchronous wake-up,
 * the default, and without: SCK_NO_SYNC_WAKE_UP=1), `sck run --report`, `sck learn` and
 * `strace -f -qq -o /dev/null` (when strace is installed). The slowdown compared with strace's
 * is of the time each adds to the plain run. Medians; no figure is asserted.
 * Usage: bench_supervised [RUNS].
 */
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include "bench_stats.h"

extern char **environ;

#define SCK SCK_TEST_SRCDIR "/build/sck"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of the last run time_cmd made, the command and its children. */
static double last_cpu;

/* Seconds one run of @argv takes (stdout and stderr to /dev/null); -1 when it fails. */
static double time_cmd(char *const *argv)
{
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	double t0, t1;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	wait4(pid, &st, 0, &ru);
	t1 = now();
	/* wait4's rusage covers the child and the descendants it waited for. */
	last_cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t1 - t0 : -1;
}

/* Median wall and CPU seconds over @runs runs of each of @n commands, interleaved. */
static void medians(char *const *const *cmds, int n, int runs, double *out, double *cpu)
{
	double *t = calloc((size_t)(n * runs), sizeof(double));
	double *u = calloc((size_t)(n * runs), sizeof(double));

	for (int r = 0; r < runs; r++)
		for (int c = 0; c < n; c++) {
			t[c * runs + r] = time_cmd(cmds[c]);
			u[c * runs + r] = last_cpu;
		}
	for (int c = 0; c < n; c++) {
		qsort(t + c * runs, (size_t)runs, sizeof(double), cmp_double);
		qsort(u + c * runs, (size_t)runs, sizeof(double), cmp_double);
		out[c] = t[c * runs] < 0 ? -1 : t[c * runs + runs / 2];
		cpu[c] = u[c * runs + runs / 2];
	}
	free(t);
	free(u);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 31;
	char learned[] = "/tmp/bench-learn-XXXXXX";
	char *tru[] = {"/bin/true", NULL};
	char *run_tru[] = {SCK, "run", "--", "/bin/true", NULL};
	char *find[] = {"find", "/usr/include", "-type", "f", NULL};
	char *trace_find[] = {SCK,    "trace",	      "-o",    "/dev/null", "--",
			      "find", "/usr/include", "-type", "f",	    NULL};
	char *trace_nosync[] = {
		"env",	"SCK_NO_SYNC_WAKE_UP=1", SCK,	  "trace", "-o", "/dev/null", "--",
		"find", "/usr/include",		 "-type", "f",	   NULL};
	char *report_find[] = {SCK,	"run", "--report", "--", "find", "/usr/include",
			       "-type", "f",   NULL};
	char *learn_find[] = {SCK,    "learn",	      "-o",    learned, "--",
			      "find", "/usr/include", "-type", "f",	NULL};
	char *strace_find[] = {"strace", "-f",		 "-qq",	  "-o", "/dev/null",
			       "find",	 "/usr/include", "-type", "f",	NULL};
	enum { FIND, TRACE, TRACE_NOSYNC, REPORT, LEARN, STRACE, NCMDS };
	static const char *const names[NCMDS] = {
		"find /usr/include -type f", "sck trace", "sck trace (no sync wake-up)",
		"sck run --report",	     "sck learn", "strace -f",
	};
	char *const *c1[] = {tru, run_tru};
	char *const *c2[NCMDS] = {find,	       trace_find, trace_nosync,
				  report_find, learn_find, strace_find};
	double m1[2], m2[NCMDS], c1m[2], c2m[NCMDS];
	bool have_strace = access("/usr/bin/strace", X_OK) == 0 || access("/bin/strace", X_OK) == 0;
	int fd;

	if (runs <= 0) {
		fprintf(stderr, "usage: bench_supervised [RUNS]\n");
		return 2;
	}
	if (access(SCK, X_OK) != 0) {
		fprintf(stderr, "bench_supervised: %s not built\n", SCK);
		return 1;
	}
	fd = mkstemp(learned);
	if (fd < 0) {
		perror("bench_supervised: mkstemp");
		return 1;
	}
	close(fd);
	medians(c1, 2, runs, m1, c1m);
	printf("sck run -- /bin/true (default profile): %.3f ms, /bin/true: %.3f ms, "
	       "cost %.3f ms wall, %.3f ms CPU (goal <= 1 ms) [median of %d]\n",
	       m1[1] * 1e3, m1[0] * 1e3, (m1[1] - m1[0]) * 1e3, (c1m[1] - c1m[0]) * 1e3, runs);
	runs = runs > 7 ? 7 : runs;
	medians(c2, have_strace ? NCMDS : NCMDS - 1, runs, m2, c2m);
	unlink(learned);
	printf("a syscall-heavy job, interleaved [median of %d]:\n", runs);
	printf("  %-30s %9s %9s %9s %s\n", "", "wall ms", "slowdown", "CPU ms",
	       have_strace ? "vs strace's slowdown" : "");
	for (int c = 0; c < (have_strace ? NCMDS : NCMDS - 1); c++) {
		if (m2[c] < 0) {
			printf("  %-30s failed\n", names[c]);
			continue;
		}
		printf("  %-30s %9.1f %8.1fx %9.1f", names[c], m2[c] * 1e3, m2[c] / m2[FIND],
		       c2m[c] * 1e3);
		if (have_strace && m2[STRACE] > 0 && c != FIND)
			printf("  %5.2fx", (m2[c] - m2[FIND]) / (m2[STRACE] - m2[FIND]));
		printf("\n");
	}
	if (m2[TRACE] > 0)
		printf("  sck run --report / sck trace: %.2fx, sck learn / sck trace: %.2fx (goals "
		       "<= 2)%s\n",
		       m2[REPORT] / m2[TRACE], m2[LEARN] / m2[TRACE],
		       have_strace ? "; sck trace's slowdown / strace's: goal <= 0.2" : "");
	return 0;
}
