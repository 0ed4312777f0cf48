/* SPDX-License-Identifier: MIT */
/*
 * Random seccomp programs for the differential tests: valid programs that use every instruction
 * class seccomp allows (loads of nr and args, LEN, immediates, scratch memory, X, ALU with NEG and
 * shifts, every jump), with RET sites mapped to distinct actions; random seccomp_data; mutations
 * that make programs the validator and the kernel must judge; and a runner that offers programs to
 * the real kernel in a forked child, one thread per case, so a batch of cases costs one fork.
 */
#ifndef SCK_TEST_BPF_H
#define SCK_TEST_BPF_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Syscall numbers the tests issue: none exists, so an allowed call answers ENOSYS. */
#define SCK_TEST_NR_MIN 1000
#define SCK_TEST_NR_SPAN 1000

/*
 * Every generated program starts with this guard (3 instructions): syscalls below
 * SCK_TEST_NR_MIN are allowed, so the thread that installed it can still exit.
 */
#define SCK_TEST_GUARD_LEN 3
void sck_test_bpf_guard(struct sock_filter *out);

/* Random seccomp_data for the native arch: nr in the test range, args with boundary values. */
void sck_test_bpf_data(uint64_t *rng, struct seccomp_data *d);

/*
 * A random valid program (guard included) of about @body instructions, at most @cap. Constants
 * are drawn partly from @d so that compares hit. RET K sites return ERRNO(*site), *site
 * increasing (never 38, ENOSYS), with a few other actions and RET A mixed in. Returns the length.
 */
size_t sck_test_bpf_gen(uint64_t *rng, const struct seccomp_data *d, size_t body, unsigned *site,
			struct sock_filter *out, size_t cap);

/* Mutate @prog in place (1-3 random edits; length may change by one, at most @cap). */
size_t sck_test_bpf_mutate(uint64_t *rng, struct sock_filter *prog, size_t len, size_t cap);

/* What a thread saw after issuing a syscall under its filters. */
enum sck_test_outcome_kind {
	SCK_TEST_RET = 1,	  /* returned value (>= 0) */
	SCK_TEST_ERRNO = 2,	  /* failed with errno value */
	SCK_TEST_TRAP = 3,	  /* SIGSYS with si_errno value */
	SCK_TEST_THREAD_DEAD = 4, /* the thread was killed */
	SCK_TEST_PROC_DEAD = 5,	  /* the whole process was killed by SIGSYS */
	SCK_TEST_INSTALL = 6,	  /* a filter install failed with errno value */
	SCK_TEST_LOST = 7,	  /* the batch died in another way (bug) */
};

struct sck_test_outcome {
	int kind;
	long value;
};

/* The outcome the kernel's action rules give for an effective action (sck_action_effective). */
struct sck_test_outcome sck_test_bpf_expect(uint32_t effective);

/* One case: up to 4 stacked filters (stack[0] installed first), one syscall. */
struct sck_test_bpf_case {
	const struct sock_filter *prog[4];
	size_t len[4];
	size_t n;
	struct seccomp_data data; /* nr and args used; arch and ip are the kernel's */
};

/*
 * Run @n cases against the kernel: forked children, one thread per case that installs the
 * case's filters and issues the syscall. A child killed by a case goes on in a new child with
 * the next case. Fills @out[i]. Returns 0 or -errno.
 */
int sck_test_bpf_kernel_run(const struct sck_test_bpf_case *cases, size_t n,
			    struct sck_test_outcome *out);

/* Format an outcome ("errno 5", "trap 3", "thread killed" ...) into a static buffer. */
const char *sck_test_outcome_str(struct sck_test_outcome o);

/* Print a program as C initialisers to stderr (for a failing case). */
void sck_test_bpf_print(const char *what, const struct sock_filter *prog, size_t len);

#endif /* SCK_TEST_BPF_H */
