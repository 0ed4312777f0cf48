// SPDX-License-Identifier: MIT
/*
 * sck_dump_filter_alloc and `sck dump` against the kernel: a grandchild installs three known
 * filters and waits; the test child (never the runner) reads them back through
 * PTRACE_SECCOMP_GET_FILTER and compares them byte for byte, in the kernel's order (index 0 is
 * the oldest), then checks every errno: past the last filter, a process without filters, a
 * process that has gone, bad arguments.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct sock_filter f0[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
static const struct sock_filter f1[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x3fff0001, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static const struct sock_filter f2[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	BPF_STMT(BPF_ST, 3),
	BPF_STMT(BPF_LD | BPF_MEM, 3),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW | 1),
};
static const struct {
	const struct sock_filter *p;
	size_t len;
} filters[] = {{f0, LEN(f0)}, {f1, LEN(f1)}, {f2, LEN(f2)}};

/* Fork a process that installs @n of the filters (0: none), says so on a pipe and waits. */
static pid_t spawn_target(size_t n)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < n; i++)
			if (sck_set_mode_filter(filters[i].p, filters[i].len, 0) < 0)
				_exit(1);
		(void)!write(fds[1], "r", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			sck_test_report(fd, __VA_ARGS__);                                          \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

static int body_dump(void *arg, int fd)
{
	pid_t pid = spawn_target(LEN(filters));
	struct sock_filter *p = (struct sock_filter *)0x1;
	size_t len = 99;
	int rc;

	(void)arg;
	CHECK(pid > 0, "target did not start");
	for (unsigned int i = 0; i < LEN(filters); i++) {
		rc = sck_dump_filter_alloc(pid, i, &p, &len);
		CHECK(rc == 0, "filter %u: %d", i, rc);
		CHECK(len == filters[i].len, "filter %u: %zu instructions, want %zu", i, len,
		      filters[i].len);
		CHECK(memcmp(p, filters[i].p, len * sizeof(*p)) == 0, "filter %u differs", i);
		free(p);
	}
	p = (struct sock_filter *)0x1;
	len = 99;
	rc = sck_dump_filter_alloc(pid, LEN(filters), &p, &len);
	CHECK(rc == -ENOENT, "past the end: %d", rc);
	CHECK(p == (struct sock_filter *)0x1 && len == 99, "outputs written on failure");
	/* The target runs on after the dump. */
	CHECK(kill(pid, 0) == 0, "target gone");
	reap(pid);
	rc = sck_dump_filter_alloc(pid, 0, &p, &len);
	CHECK(rc == -ESRCH, "gone: %d", rc);
	return 0;
}

Test(dump, reads_the_stack_in_order)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_dump, NULL, 20000, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "child: %s (exit %d, signal %d)", r.out,
		  r.exit_code, r.signal);
}

static int body_errors(void *arg, int fd)
{
	pid_t pid = spawn_target(0);
	struct sock_filter *p;
	size_t len;
	int rc;

	(void)arg;
	CHECK(pid > 0, "target did not start");
	rc = sck_dump_filter_alloc(pid, 0, &p, &len);
	CHECK(rc == -EMEDIUMTYPE, "no filters: %d", rc);
	CHECK(sck_dump_filter_alloc(pid, 0, NULL, &len) == -EINVAL, "NULL prog");
	CHECK(sck_dump_filter_alloc(pid, 0, &p, NULL) == -EINVAL, "NULL len");
	reap(pid);
	CHECK(sck_dump_filter_alloc(0, 0, &p, &len) == -EINVAL, "pid 0");
	CHECK(sck_dump_filter_alloc(-5, 0, &p, &len) == -EINVAL, "negative pid");
	CHECK(sck_dump_filter_alloc(getpid(), 0, &p, &len) == -EINVAL, "self");
	return 0;
}

Test(dump, errors)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_errors, NULL, 20000, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "child: %s (exit %d, signal %d)", r.out,
		  r.exit_code, r.signal);
}

/* The dumping process must not be under seccomp itself: the kernel answers EACCES. */
static int body_filtered_caller(void *arg, int fd)
{
	pid_t pid = spawn_target(1);
	struct sock_filter *p;
	size_t len;
	int rc;

	(void)arg;
	CHECK(pid > 0, "target did not start");
	rc = sck_set_mode_filter(f0, LEN(f0), 0);
	CHECK(rc == 0, "install: %d", rc);
	rc = sck_dump_filter_alloc(pid, 0, &p, &len);
	reap(pid);
	CHECK(rc == -EACCES, "filtered caller: %d", rc);
	return 0;
}

Test(dump, filtered_caller_refused)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_filtered_caller, NULL, 20000, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "child: %s (exit %d, signal %d)", r.out,
		  r.exit_code, r.signal);
}

/* `sck dump PID`: the text of every filter, and -f raw -o OUT writing OUT.0 .. */
static int body_cli(void *arg, int fd)
{
	pid_t pid = spawn_target(LEN(filters));
	const char *dir = sck_test_tmpdir();
	char pidstr[32], out[256], path[300];
	struct sck_test_cmd res;
	int rc;

	(void)arg;
	CHECK(pid > 0 && dir, "setup");
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	rc = sck_test_sck(&res, NULL, (const char *[]){"dump", pidstr, NULL});
	CHECK(rc == 0 && res.status == 0, "dump: %d %d %s", rc, res.status, res.err);
	CHECK(strstr(res.out, "# filter 0 (oldest), 1 instructions\n0000: return ALLOW\n"), "%s",
	      res.out);
	CHECK(strstr(res.out, "# filter 1, 4 instructions\n"), "%s", res.out);
	CHECK(strstr(res.out, "\n0002: return ERRNO(5)\n"), "%s", res.out);
	CHECK(strstr(res.out, "# filter 2 (newest), 4 instructions\n0000: A = args[0]"), "%s",
	      res.out);
	sck_test_cmd_fini(&res);

	snprintf(out, sizeof(out), "%s/f", dir);
	rc = sck_test_sck(&res, NULL,
			  (const char *[]){"dump", "-f", "raw", "-o", out, pidstr, NULL});
	CHECK(rc == 0 && res.status == 0, "dump raw: %d %s", res.status, res.err);
	sck_test_cmd_fini(&res);
	for (unsigned int i = 0; i < LEN(filters); i++) {
		char buf[256];
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%s.%u", out, i);
		f = fopen(path, "rb");
		CHECK(f, "missing %s", path);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		unlink(path);
		CHECK(n == filters[i].len * 8 && memcmp(buf, filters[i].p, n) == 0, "%s differs",
		      path);
	}
	/* One filter chosen with -i: raw on stdout. */
	rc = sck_test_sck(&res, NULL,
			  (const char *[]){"dump", "-f", "raw", "-i", "1", pidstr, NULL});
	CHECK(rc == 0 && res.status == 0 && res.out_len == sizeof(f1) &&
		      memcmp(res.out, f1, sizeof(f1)) == 0,
	      "dump -i 1: %d %s", res.status, res.err);
	sck_test_cmd_fini(&res);
	/* --byte-order for a machine of the other order: the same program, swapped */
	{
		struct sock_filter sw[LEN(f1)];

		memcpy(sw, f1, sizeof(f1));
		sck_bpf_swap(sw, LEN(f1));
		rc = sck_test_sck(
			&res, NULL,
			(const char *[]){"dump", "-f", "raw", "-i", "1", "--byte-order",
					 sck_arch_native()->little_endian ? "big" : "little",
					 pidstr, NULL});
		CHECK(rc == 0 && res.status == 0 && res.out_len == sizeof(sw) &&
			      memcmp(res.out, sw, sizeof(sw)) == 0,
		      "dump --byte-order: %d %s", res.status, res.err);
		sck_test_cmd_fini(&res);
	}
	/* Several filters, raw, no -o: a usage error. */
	rc = sck_test_sck(&res, NULL, (const char *[]){"dump", "-f", "raw", pidstr, NULL});
	CHECK(rc == 0 && res.status == 2 && res.out_len == 0, "raw to stdout: %d", res.status);
	sck_test_cmd_fini(&res);
	rc = sck_test_sck(&res, NULL, (const char *[]){"dump", "-i", "7", pidstr, NULL});
	CHECK(rc == 0 && res.status == 1, "no filter 7: %d", res.status);
	sck_test_cmd_fini(&res);

	reap(pid);
	/* Gone: exit 1. */
	rc = sck_test_sck(&res, NULL, (const char *[]){"dump", pidstr, NULL});
	CHECK(rc == 0 && res.status == 1 && strstr(res.err, "no such process"), "gone: %d %s",
	      res.status, res.err);
	sck_test_cmd_fini(&res);
	/* No filters: exit 1. */
	pid = spawn_target(0);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	rc = sck_test_sck(&res, NULL, (const char *[]){"dump", pidstr, NULL});
	reap(pid);
	CHECK(rc == 0 && res.status == 1 && strstr(res.err, "not in seccomp filter mode"),
	      "unfiltered: %d %s", res.status, res.err);
	sck_test_cmd_fini(&res);
	rmdir(dir);
	return 0;
}

Test(dump, cli)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_cli, NULL, 30000, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "child: %s (exit %d, signal %d)", r.out,
		  r.exit_code, r.signal);
}
