/* SPDX-License-Identifier: MIT */
/*
 * Test helpers shared by every test: run a body in a forked child with a timeout (nothing ever
 * installs a filter in the test runner), run the `sck` binary, locate ../shared, seeded PRNG.
 */
#ifndef SCK_TEST_H
#define SCK_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Outcome of a child run. */
struct sck_test_result {
	bool timed_out; /* killed by the helper after timeout_ms */
	bool exited;	/* exited normally: see exit_code */
	int exit_code;
	int signal;	/* terminating signal when !exited (SIGSYS, SIGKILL ...) */
	bool core;	/* WCOREDUMP: KILL_PROCESS dumps core, KILL_THREAD does not */
	char out[4096]; /* what the body wrote to its report fd, NUL-terminated */
	size_t out_len;
};

/* Flags of sck_test_run_child_ex. */
enum {
	SCK_TEST_NO_NNP = 1 << 0, /* do not set no_new_privs in the child */
};

/*
 * Run fn(arg, report_fd) in a forked child: it calls setpgid(0,0), PR_SET_PDEATHSIG(SIGKILL) and
 * (unless SCK_TEST_NO_NNP) no_new_privs, then the body; the body's return value is the child's
 * exit status. The parent waits on a pidfd for at most @timeout_ms, SIGKILLs the child's process
 * group on expiry, and fills @result. Returns 0 once the child is reaped, -errno if it could not
 * be started.
 */
typedef int (*sck_test_body)(void *arg, int report_fd);
int sck_test_run_child(sck_test_body fn, void *arg, int timeout_ms, struct sck_test_result *result);
int sck_test_run_child_ex(sck_test_body fn, void *arg, int timeout_ms, unsigned int flags,
			  struct sck_test_result *result);

/* printf to the report fd (for structured results from the child). */
void sck_test_report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Result of running the sck binary. out/err are malloc'd, NUL-terminated; free with _fini. */
struct sck_test_cmd {
	int status; /* exit code, or 128+signal */
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
};

/*
 * Run build/sck with argv (NULL-terminated, without "sck" itself), feeding @input (may be NULL)
 * on stdin, with a 30 s timeout. Returns 0 or -errno.
 */
int sck_test_sck(struct sck_test_cmd *res, const char *input, const char *const *argv);
void sck_test_cmd_fini(struct sck_test_cmd *res);

/* Path of a file in ../shared, or NULL when ../shared (or the file) is absent. Static buffer. */
const char *sck_test_shared(const char *rel);

/* Path of a file in the source tree (tests/data/...). Static buffer. */
const char *sck_test_src(const char *rel);

/* The contents of a file of the source tree, malloc'd and NUL-terminated; NULL if unreadable. */
char *sck_test_read_src(const char *rel);
/* The whole file at @path, NUL-terminated (malloc'd); NULL when it cannot be read. */
char *sck_test_read_file(const char *path);

/* In a Criterion test: skip, saying why, when the kernel has no user notification. */
#define SCK_TEST_NEED_NOTIFY()                                                                     \
	do {                                                                                       \
		if (!sck_action_avail(SECCOMP_RET_USER_NOTIF))                                     \
			cr_skip("kernel without SECCOMP_RET_USER_NOTIF");                          \
	} while (0)

/* A fresh temporary directory (removed by nothing: tests clean up). Static buffer. */
const char *sck_test_tmpdir(void);

/*
 * Seeded PRNG (xorshift64*). The seed comes from SCK_TEST_SEED when set, else from the clock;
 * sck_test_seed() prints it once so a failure can be replayed.
 */
uint64_t sck_test_seed(const char *test_name);
uint64_t sck_test_rand(uint64_t *state);

#endif /* SCK_TEST_H */
