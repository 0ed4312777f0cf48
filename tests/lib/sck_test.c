// SPDX-License-Identifier: MIT
/* Test helpers: forked children with timeouts, running the sck binary, paths, seeded PRNG. */
#include "sck_test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read what is available on @fd into @buf (cap includes the NUL); non-blocking fd. */
static void drain(int fd, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		ssize_t r;

		if (*len + 1 >= cap) {
			char sink[256];

			if (read(fd, sink, sizeof(sink)) <= 0)
				return;
			continue;
		}
		r = read(fd, buf + *len, cap - 1 - *len);
		if (r <= 0)
			return;
		*len += (size_t)r;
		buf[*len] = '\0';
	}
}

int sck_test_run_child_ex(sck_test_body fn, void *arg, int timeout_ms, unsigned int flags,
			  struct sck_test_result *result)
{
	int pipefd[2], pidfd, status = 0;
	long deadline;
	pid_t pid;

	memset(result, 0, sizeof(*result));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		close(pipefd[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (!(flags & SCK_TEST_NO_NNP) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(120);
		_exit(fn(arg, pipefd[1]) & 0xff);
	}
	close(pipefd[1]);
	setpgid(pid, pid); /* either side may win the race; both ask for the same */
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	pidfd = pidfd_open_(pid);
	deadline = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p[2] = {{pidfd, POLLIN, 0}, {pipefd[0], POLLIN, 0}};
		long left = deadline - now_ms();
		int n;

		if (left <= 0) {
			result->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		n = poll(p, 2, (int)left);
		if (n < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			drain(pipefd[0], result->out, sizeof(result->out), &result->out_len);
		if (p[0].revents)
			break;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	drain(pipefd[0], result->out, sizeof(result->out), &result->out_len);
	close(pipefd[0]);
	if (pidfd >= 0)
		close(pidfd);
	/* Whatever the child left in its group (threads' forks, grandchildren) goes too. */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status)) {
		result->exited = true;
		result->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		result->signal = WTERMSIG(status);
		result->core = WCOREDUMP(status);
	}
	return 0;
}

int sck_test_run_child(sck_test_body fn, void *arg, int timeout_ms, struct sck_test_result *result)
{
	return sck_test_run_child_ex(fn, arg, timeout_ms, 0, result);
}

void sck_test_report(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static int slurp_fd(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int sck_test_sck(struct sck_test_cmd *res, const char *input, const char *const *argv)
{
	char outpath[] = "/tmp/sck-test-out-XXXXXX", errpath[] = "/tmp/sck-test-err-XXXXXX";
	char inpath[] = "/tmp/sck-test-in-XXXXXX";
	int outfd, errfd, infd = -1, status = 0, rc = 0;
	size_t argc = 0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	while (argv[argc])
		argc++;
	outfd = mkostemp(outpath, O_CLOEXEC);
	errfd = mkostemp(errpath, O_CLOEXEC);
	if (input) {
		infd = mkostemp(inpath, O_CLOEXEC);
		if (infd >= 0) {
			(void)!write(infd, input, strlen(input));
			lseek(infd, 0, SEEK_SET);
		}
	}
	if (outfd < 0 || errfd < 0 || (input && infd < 0)) {
		rc = -errno;
		goto out;
	}
	unlink(outpath);
	unlink(errpath);
	if (input)
		unlink(inpath);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0) {
		const char **av = calloc(argc + 2, sizeof(*av));

		if (!av)
			_exit(125);
		av[0] = SCK_TEST_BIN;
		for (size_t i = 0; i < argc; i++)
			av[i + 1] = argv[i];
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		dup2(infd >= 0 ? infd : open("/dev/null", O_RDONLY), 0);
		dup2(outfd, 1);
		dup2(errfd, 2);
		alarm(30);
		execv(SCK_TEST_BIN, (char *const *)av);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lseek(outfd, 0, SEEK_SET);
	lseek(errfd, 0, SEEK_SET);
	rc = slurp_fd(outfd, &res->out, &res->out_len);
	if (rc == 0)
		rc = slurp_fd(errfd, &res->err, &res->err_len);
out:
	if (outfd >= 0)
		close(outfd);
	if (errfd >= 0)
		close(errfd);
	if (infd >= 0)
		close(infd);
	return rc;
}

void sck_test_cmd_fini(struct sck_test_cmd *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

const char *sck_test_shared(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("SCK_SHARED_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : SCK_TEST_SHARED_DIR, rel);
	return access(path, R_OK) == 0 ? path : NULL;
}

const char *sck_test_src(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", SCK_TEST_SRCDIR, rel);
	return path;
}

char *sck_test_read_src(const char *rel)
{
	return sck_test_read_file(sck_test_src(rel));
}

char *sck_test_read_file(const char *path)
{
	char *buf = NULL;
	FILE *f = fopen(path, "re");
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

const char *sck_test_tmpdir(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/sck-test-XXXXXX");
	return mkdtemp(path);
}

uint64_t sck_test_seed(const char *test_name)
{
	const char *env = getenv("SCK_TEST_SEED");
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
		       ((uint64_t)getpid() << 32);
	}
	if (seed == 0)
		seed = 1;
	fprintf(stderr, "%s: SCK_TEST_SEED=%llu\n", test_name, (unsigned long long)seed);
	return seed;
}

uint64_t sck_test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}
