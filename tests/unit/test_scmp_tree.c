// SPDX-License-Identifier: MIT
/*
 * The public model of libseccomp's rule database (sck_scmp_tree_*, <sck/filter.h>): every errno
 * of its documentation, and the behaviours OCI mode relies on, pinned on small rule sets whose
 * libseccomp 2.5.4 verdicts and return codes were read off its pseudo filter code: refused
 * conflicts, an unconditional rule replacing the tree, and the first-match order of the
 * flattened paths (an equality node before a range node of the same argument). (The differential tests compare the model
 * with libseccomp itself on random rule sets.)
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "sck.h"
#include "test_filter_oracle.h"

#define ALLOW SECCOMP_RET_ALLOW
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

struct paths {
	size_t n;
	uint32_t action[16];
	size_t nconds[16];
};

static int collect(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n)
{
	struct paths *p = ctx;

	(void)conds;
	cr_assert_lt(p->n, 16);
	p->action[p->n] = action;
	p->nconds[p->n++] = n;
	return 0;
}

static int stop_at_first(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n)
{
	(void)ctx, (void)action, (void)conds, (void)n;
	return 42;
}

/* The first path of @t whose conditions hold for @args (64-bit ABI), or @def. */
struct eval {
	const uint64_t *args;
	uint32_t action;
	bool hit;
};

static int first_match(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n)
{
	struct eval *e = ctx;

	for (size_t i = 0; i < n; i++)
		if (!orc_cond_holds(&conds[i], e->args[conds[i].arg], false))
			return 0;
	e->action = action;
	e->hit = true;
	return 1;
}

static uint32_t verdict(const struct sck_scmp_tree *t, const uint64_t args[6], uint32_t def)
{
	struct eval e = {.args = args, .action = def};

	cr_assert_geq(sck_scmp_tree_flatten(t, false, first_match, &e), 0);
	return e.action;
}

/* (arguments below 2^32: the 32-bit and 64-bit readings agree) */
static uint32_t verdict32(const struct sck_scmp_tree *t, const uint64_t args[6], uint32_t def)
{
	struct eval e = {.args = args, .action = def};

	cr_assert_geq(sck_scmp_tree_flatten(t, true, first_match, &e), 0);
	return e.action;
}

Test(scmp_tree, errors)
{
	struct sck_scmp_tree *t = NULL, *d = NULL;
	struct sck_scmp_cmp c[7];

	cr_assert_eq(sck_scmp_tree_new(NULL), -EINVAL);
	cr_assert_eq(sck_scmp_tree_new(&t), 0);
	cr_assert(sck_scmp_tree_empty(t));
	cr_assert(sck_scmp_tree_empty(NULL));
	cr_assert_eq(sck_scmp_tree_dup(NULL, &d), -EINVAL);
	cr_assert_eq(sck_scmp_tree_dup(t, NULL), -EINVAL);
	for (unsigned int i = 0; i < 7; i++)
		c[i] = (struct sck_scmp_cmp){.arg = i % 6, .op = SCK_SCMP_EQ, .a = i};
	cr_assert_eq(sck_scmp_tree_add(NULL, false, ALLOW, c, 1), -EINVAL);
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, NULL, 1), -EINVAL);
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, c, 7), -EINVAL);
	c[6] = (struct sck_scmp_cmp){.arg = 6, .op = SCK_SCMP_EQ};
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &c[6], 1), -EINVAL);
	c[6] = (struct sck_scmp_cmp){.arg = 0, .op = (enum sck_scmp_op)8};
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &c[6], 1), -EINVAL);
	c[6] = (struct sck_scmp_cmp){.arg = 0, .op = SCK_SCMP_EQ};
	c[5] = (struct sck_scmp_cmp){.arg = 0, .op = SCK_SCMP_GT};
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &c[5], 2), -EINVAL, "an argument twice");
	cr_assert(sck_scmp_tree_empty(t), "a refused rule leaves the tree as it was");
	cr_assert_eq(sck_scmp_tree_flatten(NULL, false, collect, NULL), -EINVAL);
	cr_assert_eq(sck_scmp_tree_flatten(t, false, NULL, NULL), -EINVAL);

	/* the same comparisons with another action: libseccomp's -EEXIST, tree unchanged */
	c[0] = (struct sck_scmp_cmp){.arg = 1, .op = SCK_SCMP_EQ, .a = 5};
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, c, 1), 0);
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, c, 1), 0, "the same rule twice");
	cr_assert_eq(sck_scmp_tree_add(t, false, ERRNO(1), c, 1), -EEXIST);
	cr_assert_eq(sck_scmp_tree_dup(t, &d), 0);
	{
		struct paths p = {0}, q = {0};
		cr_assert_eq(sck_scmp_tree_flatten(t, false, collect, &p), 0);
		cr_assert_eq(sck_scmp_tree_flatten(d, false, collect, &q), 0);
		cr_assert_eq(p.n, q.n);
		cr_assert_gt(p.n, 0);
		for (size_t i = 0; i < p.n; i++)
			cr_assert_eq(p.action[i], ALLOW);
	}
	/* a non-zero return of @emit stops the walk and is returned */
	cr_assert_eq(sck_scmp_tree_flatten(t, false, stop_at_first, NULL), 42);
	sck_scmp_tree_free(d);
	sck_scmp_tree_free(t);
	sck_scmp_tree_free(NULL);
}

Test(scmp_tree, conflict_and_unconditional)
{
	struct sck_scmp_tree *t = NULL;
	struct sck_scmp_cmp a3lt5 = {.arg = 3, .op = SCK_SCMP_LT, .a = 5};
	struct sck_scmp_cmp two[2] = {{.arg = 0, .op = SCK_SCMP_LT, .a = 7},
				      {.arg = 3, .op = SCK_SCMP_GE, .a = 5}};
	uint64_t in_second[6] = {1, 0, 0, 6, 0, 0}, in_first[6] = {0, 0, 0, 1, 0, 0};

	cr_assert_eq(sck_scmp_tree_new(&t), 0);
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &a3lt5, 1), 0);
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, two, 2), 0);
	cr_assert_eq(verdict(t, in_first, ERRNO(9)), ALLOW);
	cr_assert_eq(verdict(t, in_second, ERRNO(9)), ALLOW);
	/* the first rule again with another action: libseccomp 2.5.4 answers -EEXIST */
	cr_assert_eq(sck_scmp_tree_add(t, false, ERRNO(1), &a3lt5, 1), -EEXIST);
	cr_assert_eq(verdict(t, in_first, ERRNO(9)), ALLOW);
	/* an unconditional rule replaces the tree; later rules are accepted and ignored */
	cr_assert_not(sck_scmp_tree_uncond(t, NULL));
	cr_assert_not(sck_scmp_tree_uncond(NULL, NULL));
	cr_assert_eq(sck_scmp_tree_add(t, false, ERRNO(3), NULL, 0), 0);
	{
		uint32_t act = 0;
		cr_assert(sck_scmp_tree_uncond(t, &act));
		cr_assert_eq(act, ERRNO(3));
	}
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &a3lt5, 1), 0);
	cr_assert_eq(verdict(t, in_first, ERRNO(9)), ERRNO(3));
	cr_assert_eq(verdict(t, in_second, ERRNO(9)), ERRNO(3));
	sck_scmp_tree_free(t);
}

Test(scmp_tree, pruning_on_32bit_abis)
{
	/* libseccomp 2.5.4 on x86 drops `a0 < 7 && a3 >= 5` after `a3 < 5` (its pseudo filter
	 * code has no trace of it); on x86_64 it keeps it (conflict_and_unconditional) */
	struct sck_scmp_tree *t = NULL;
	struct sck_scmp_cmp a3lt5 = {.arg = 3, .op = SCK_SCMP_LT, .a = 5};
	struct sck_scmp_cmp two[2] = {{.arg = 0, .op = SCK_SCMP_LT, .a = 7},
				      {.arg = 3, .op = SCK_SCMP_GE, .a = 5}};
	uint64_t in_second[6] = {1, 0, 0, 6, 0, 0}, in_first[6] = {0, 0, 0, 1, 0, 0};

	cr_assert_eq(sck_scmp_tree_new(&t), 0);
	cr_assert_eq(sck_scmp_tree_add(t, true, ALLOW, &a3lt5, 1), 0);
	cr_assert_eq(sck_scmp_tree_add(t, true, ALLOW, two, 2), 0);
	cr_assert_eq(verdict32(t, in_first, ERRNO(9)), ALLOW);
	cr_assert_eq(verdict32(t, in_second, ERRNO(9)), ERRNO(9));
	sck_scmp_tree_free(t);
}

Test(scmp_tree, overlap_order_is_the_database_order)
{
	/* a1 >= 10 -> ERRNO(1), then a1 == 12 -> ALLOW: libseccomp tests its equality node first */
	struct sck_scmp_tree *t = NULL;
	struct sck_scmp_cmp ge = {.arg = 1, .op = SCK_SCMP_GE, .a = 10};
	struct sck_scmp_cmp eq = {.arg = 1, .op = SCK_SCMP_EQ, .a = 12};
	uint64_t twelve[6] = {0, 12, 0, 0, 0, 0}, eleven[6] = {0, 11, 0, 0, 0, 0};

	cr_assert_eq(sck_scmp_tree_new(&t), 0);
	cr_assert_eq(sck_scmp_tree_add(t, false, ERRNO(1), &ge, 1), 0);
	cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &eq, 1), 0);
	cr_assert_eq(verdict(t, twelve, ERRNO(9)), ALLOW);
	cr_assert_eq(verdict(t, eleven, ERRNO(9)), ERRNO(1));
	sck_scmp_tree_free(t);
}

Test(scmp_tree, early_exit_of_64bit_ranges)
{
	/* a1 >= 33780 and a1 >= 49726 with different actions share `a1.hi > 0`: libseccomp 2.5.4
	 * gives it the new rule's action when the new operand is above that of the rule that
	 * made the node; for `<` rules the first rule's action stays (read off its pseudo
	 * filter code) */
	static const struct {
		enum sck_scmp_op op1;
		uint64_t v1;
		enum sck_scmp_op op2;
		uint64_t v2;
		uint32_t want_high;
	} cases[] = {
		{SCK_SCMP_GE, 33780, SCK_SCMP_GE, 49726, SECCOMP_RET_KILL_PROCESS},
		{SCK_SCMP_GE, 49726, SCK_SCMP_GE, 33780, ALLOW},
		{SCK_SCMP_GT, 50, SCK_SCMP_GE, 100, SECCOMP_RET_KILL_PROCESS},
		{SCK_SCMP_GE, 100, SCK_SCMP_GT, 50, ALLOW},
	};
	uint64_t high[6] = {0, 0x100000000ULL, 0, 0, 0, 0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sck_scmp_tree *t = NULL;
		struct sck_scmp_cmp a = {.arg = 1, .op = cases[i].op1, .a = cases[i].v1};
		struct sck_scmp_cmp b = {.arg = 1, .op = cases[i].op2, .a = cases[i].v2};
		cr_assert_eq(sck_scmp_tree_new(&t), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &a, 1), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_KILL_PROCESS, &b, 1), 0);
		cr_expect_eq(verdict(t, high, ERRNO(9)), cases[i].want_high, "case %zu", i);
		sck_scmp_tree_free(t);
	}
	{
		/* a `<=` rule made the shared high node: the operands compare with its operand
		 * (connect: a1 <= 2 KILL, a1 >= 36234 KILL, a1 >= 0xfffffffe ERRNO(2): ERRNO(2);
		 * a2 < 61738 TRACE, a2 >= 4 TRACE, a2 > 10819 LOG: TRACE) */
		struct sck_scmp_tree *t = NULL;
		struct sck_scmp_cmp le = {.arg = 1, .op = SCK_SCMP_LE, .a = 2};
		struct sck_scmp_cmp ge1 = {.arg = 1, .op = SCK_SCMP_GE, .a = 36234};
		struct sck_scmp_cmp ge2 = {.arg = 1, .op = SCK_SCMP_GE, .a = 0xfffffffeULL};
		cr_assert_eq(sck_scmp_tree_new(&t), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_KILL_PROCESS, &le, 1), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_KILL_PROCESS, &ge1, 1), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, ERRNO(2), &ge2, 1), 0);
		cr_expect_eq(verdict(t, high, ERRNO(9)), ERRNO(2));
		sck_scmp_tree_free(t);
	}
	{
		struct sck_scmp_tree *t = NULL;
		struct sck_scmp_cmp lt = {.arg = 1, .op = SCK_SCMP_LT, .a = 61738};
		struct sck_scmp_cmp ge = {.arg = 1, .op = SCK_SCMP_GE, .a = 4};
		struct sck_scmp_cmp gt = {.arg = 1, .op = SCK_SCMP_GT, .a = 10819};
		cr_assert_eq(sck_scmp_tree_new(&t), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_TRACE | 2, &lt, 1), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_TRACE | 2, &ge, 1), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_LOG, &gt, 1), 0);
		cr_expect_eq(verdict(t, high, ERRNO(9)), SECCOMP_RET_TRACE | 2);
		sck_scmp_tree_free(t);
	}
	{
		struct sck_scmp_tree *t = NULL;
		struct sck_scmp_cmp a = {.arg = 1, .op = SCK_SCMP_LT, .a = 100};
		struct sck_scmp_cmp b = {.arg = 1, .op = SCK_SCMP_LT, .a = 50};
		uint64_t low[6] = {0, 20, 0, 0, 0, 0};
		cr_assert_eq(sck_scmp_tree_new(&t), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &a, 1), 0);
		cr_assert_eq(sck_scmp_tree_add(t, false, SECCOMP_RET_KILL_PROCESS, &b, 1), 0);
		/* in the low word: the `< 50` node comes first; nothing in the high word is below 0 */
		cr_expect_eq(verdict(t, low, ERRNO(9)), SECCOMP_RET_KILL_PROCESS);
		sck_scmp_tree_free(t);
	}
}

Test(scmp_tree, allowlist_comes_out_as_added)
{
	/* Docker's socket rules: a0 < 38, a0 == 39, a0 > 40, one action: the database sorts the
	 * equality first; the rules come back as added (the same verdicts, the rule's own costs) */
	struct sck_scmp_tree *t = NULL, *d = NULL;
	struct sck_scmp_cmp c[3] = {{.arg = 0, .op = SCK_SCMP_LT, .a = 38},
				    {.arg = 0, .op = SCK_SCMP_EQ, .a = 39},
				    {.arg = 0, .op = SCK_SCMP_GT, .a = 40}};
	struct paths p = {0};

	cr_assert_eq(sck_scmp_tree_new(&t), 0);
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(sck_scmp_tree_add(t, false, ALLOW, &c[i], 1), 0);
	cr_assert_eq(sck_scmp_tree_dup(t, &d), 0);
	cr_assert_eq(sck_scmp_tree_flatten(d, false, collect, &p), 0);
	cr_assert_eq(p.n, 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_eq(p.nconds[i], 1);
	for (uint64_t v = 36; v < 43; v++) {
		uint64_t args[6] = {v, 0, 0, 0, 0, 0};
		cr_expect_eq(verdict(d, args, ERRNO(9)), v == 38 || v == 40 ? ERRNO(9) : ALLOW,
			     "a0 = %llu", (unsigned long long)v);
	}
	/* a rule of another action: the database's own paths again */
	{
		struct sck_scmp_cmp k = {.arg = 0, .op = SCK_SCMP_EQ, .a = 38};
		uint64_t args[6] = {38, 0, 0, 0, 0, 0};
		cr_assert_eq(sck_scmp_tree_add(d, false, ERRNO(1), &k, 1), 0);
		cr_expect_eq(verdict(d, args, ERRNO(9)), ERRNO(1));
		args[0] = 39;
		cr_expect_eq(verdict(d, args, ERRNO(9)), ALLOW);
	}
	sck_scmp_tree_free(d);
	sck_scmp_tree_free(t);
}
