/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the user-notification tests: a hand-written filter that notifies a few syscalls
 * (no sck code path builds it), and a target process that installs it, hands its listener to the
 * caller over a socket pair and runs a body. The caller (itself a child of the test runner, see
 * sck_test_run_child) is the supervisor.
 */
#ifndef SCK_TEST_NOTIFY_H
#define SCK_TEST_NOTIFY_H

#include <stddef.h>
#include <sys/types.h>

#include "sck_test.h"

/*
 * Install a filter that returns SECCOMP_RET_USER_NOTIF for the syscalls in @nrs (at most 16, the
 * native arch only) and allows everything else, with seccomp @flags. Returns what
 * sck_set_mode_filter returns (the listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER).
 */
int sck_test_notify_filter(const int *nrs, size_t n, unsigned int flags);

/*
 * In a body run by sck_test_run_child with the report fd named `rep`: on failure, report the
 * line and the expression (and for CHECK_EQ both values) and return 1.
 */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			sck_test_report(rep, "line %d: %s\n", __LINE__, #cond);                    \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			sck_test_report(rep, "line %d: %s == %lld, want %lld\n", __LINE__, #a, a_, \
					b_);                                                       \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

struct sck_test_target {
	pid_t pid;
	int listener; /* the supervisor's copy */
};

/*
 * Fork a target that installs sck_test_notify_filter(@nrs, @n) with a listener and then runs
 * body(arg); its exit status is body's return (100+ for set-up failures). Returns 0 with @t
 * filled, or -errno.
 */
int sck_test_notify_spawn(const int *nrs, size_t n, int (*body)(void *), void *arg,
			  struct sck_test_target *t);

/* Reap @pid: its exit code, -N when killed by signal N, -1000 when waitpid failed. */
int sck_test_wait_exit(pid_t pid);

#endif /* SCK_TEST_NOTIFY_H */
