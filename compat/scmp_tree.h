/* SPDX-License-Identifier: MIT */
/*
 * libseccomp's rule database for one syscall on one arch, modelled from experiment against
 * libseccomp 2.5.4 (docs/semantics.md, "libseccomp's rule database"), and its flattening into an
 * ordered list of first-match rules for sck's filter API. A rule's argument comparisons become a
 * chain of 32-bit compare nodes (two per 64-bit compare); chains are merged into a tree whose
 * levels are kept sorted; the program tests a level's nodes in order, and a failed subtree falls
 * through to the next node. Flattening walks the tree depth first and writes each path (its
 * nodes' true or false outcomes, as sck conditions) with its action: the first matching path is
 * the tree's verdict. Independent of <seccomp.h>: reusable for OCI mode.
 */
#ifndef SCK_COMPAT_SCMP_TREE_H
#define SCK_COMPAT_SCMP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sck.h"

/* Comparison operators, numbered as libseccomp's enum scmp_compare (ABI values). */
enum sck_scmp_op {
	SCK_SCMP_NE = 1,
	SCK_SCMP_LT = 2,
	SCK_SCMP_LE = 3,
	SCK_SCMP_EQ = 4,
	SCK_SCMP_GE = 5,
	SCK_SCMP_GT = 6,
	SCK_SCMP_MASKED_EQ = 7,
};

/* One comparison of a rule: for MASKED_EQ, @a is the mask and @b the expected value. */
struct sck_scmp_cmp {
	unsigned int arg;
	enum sck_scmp_op op;
	uint64_t a, b;
};

/* The rules of one syscall on one arch. */
struct sck_scmp_tree;

/* sck_scmp_tree_new - an empty tree. Returns 0 and *out, or -ENOMEM. */
int sck_scmp_tree_new(struct sck_scmp_tree **out);

/* sck_scmp_tree_free - release @t; NULL is a no-op. */
void sck_scmp_tree_free(struct sck_scmp_tree *t);

/* sck_scmp_tree_dup - a deep copy of @t. Returns 0 and *out, or -ENOMEM. */
int sck_scmp_tree_dup(const struct sck_scmp_tree *t, struct sck_scmp_tree **out);

/*
 * sck_scmp_tree_add - merge a rule (@n comparisons on distinct arguments, any order) into @t as
 * libseccomp does. @arg32: the arch compares 32-bit arguments (libseccomp's 32-bit ABIs, x32 and
 * mips n32 included). Returns 0 (added, or covered by an earlier rule), -EEXIST (a rule with the
 * same comparisons, or a prefix of them, has another action), -ENOMEM. On error @t is unchanged.
 */
int sck_scmp_tree_add(struct sck_scmp_tree *t, bool arg32, uint32_t action,
		      const struct sck_scmp_cmp *c, size_t n);

/* sck_scmp_tree_empty - no rule was added. */
bool sck_scmp_tree_empty(const struct sck_scmp_tree *t);

/* sck_scmp_tree_uncond - whether an unconditional rule decides every call; its action in *act. */
bool sck_scmp_tree_uncond(const struct sck_scmp_tree *t, uint32_t *act);

/*
 * sck_scmp_tree_flatten - call @emit for each path of @t in evaluation order: the first rule
 * whose conditions all hold gives libseccomp's verdict; none: the filter's default action.
 * @arg32 as for sck_scmp_tree_add. Returns 0, the first non-zero return of @emit, -ENOMEM.
 */
int sck_scmp_tree_flatten(const struct sck_scmp_tree *t, bool arg32,
			  int (*emit)(void *ctx, uint32_t action, const struct sck_cond *conds,
				      size_t n),
			  void *ctx);

#endif /* SCK_COMPAT_SCMP_TREE_H */
