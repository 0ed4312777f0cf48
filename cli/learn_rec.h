/* SPDX-License-Identifier: MIT */
/*
 * The recorder shared by `sck learn` and `sck agent --learn`: which (ABI, syscall) pairs a
 * supervised program used, and the smallest OCI profile (default EPERM) that allows them.
 */
#ifndef SCK_CLI_LEARN_REC_H
#define SCK_CLI_LEARN_REC_H

#include "cli.h"

#define SCK_CLI_FAST_NRS                                                                           \
	4096		  /* numbers (above the ABI's base) kept in a bitmap; others in a list */
#define SCK_CLI_NARGFUL 3 /* clone, personality, socket (--args) */

struct sck_cli_seen_arch {
	const struct sck_arch *arch;
	uint64_t bits[SCK_CLI_FAST_NRS / 64];
	uint32_t count[SCK_CLI_FAST_NRS]; /* calls made, for --hot (all calls, --args ones too) */
	int *other;			  /* numbers outside the bitmap */
	size_t nother, capother;
	int argful_nr[SCK_CLI_NARGFUL];	 /* their numbers on this ABI (-1: none) */
	uint64_t *vals[SCK_CLI_NARGFUL]; /* distinct (masked) values seen */
	size_t nvals[SCK_CLI_NARGFUL], capvals[SCK_CLI_NARGFUL];
};

struct sck_cli_learn {
	struct sck_cli_seen_arch *archs;
	size_t narchs;
	bool args;	       /* --args */
	int err;	       /* first -ENOMEM */
	unsigned long unknown; /* calls of an ABI sck does not know */
};

/* A growable text buffer. */
struct sck_cli_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* Append printf output to @b; on failure b->oom is set. */
void sck_cli_buf_printf(struct sck_cli_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The slot of @arch in @l, added (last) when new; NULL on -ENOMEM. */
struct sck_cli_seen_arch *sck_cli_learn_arch(struct sck_cli_learn *l, const struct sck_arch *arch);

/* Record one call of @arch. Returns 0 or -ENOMEM. */
int sck_cli_learn_record(struct sck_cli_learn *l, const struct sck_arch *arch,
			 const struct seccomp_data *d);

/* Record syscall @name of @arch as used (nothing when @arch has no such name). 0 or -ENOMEM. */
int sck_cli_learn_add_name(struct sck_cli_learn *l, const struct sck_arch *arch, const char *name);

/* Append the profile allowing what @l recorded to @b. Returns 0 or -ENOMEM. */
int sck_cli_learn_profile(const struct sck_cli_learn *l, struct sck_cli_buf *b);

/* Release what @l holds (not @l itself). */
void sck_cli_learn_fini(struct sck_cli_learn *l);

/*
 * Calls a container learned through `sck learn --oci` and `sck agent --learn` is never notified
 * of and always allowed (NULL-terminated): write, which runc 1.1 refuses to notify, and what the
 * Go runtime of runc's init may do at any moment after loading the filter (signal returns,
 * thread wake-ups and parking, memory): notified before runc has handed the listener to the agent,
 * such a call would wait forever; and which of them a run needs varies from run to run.
 */
extern const char *const sck_cli_runtime_calls[];

/*
 * `sck learn --oci BUNDLE`: rewrite BUNDLE/config.json's linux.seccomp for learning through the
 * agent at @sock (learn_oci.c). Returns an exit status, the error printed.
 */
int sck_cli_learn_oci(const char *bundle, const char *sock, const char *metadata);

#endif /* SCK_CLI_LEARN_REC_H */
