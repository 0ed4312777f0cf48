// SPDX-License-Identifier: MIT
/*
 * The syscall-number planner on sections too large for its exact O(n^2) dynamic programming
 * (src/filter/cmp_tree_fast.c: more than 256 ranges for one arch, 1024 for x86_64 + x32): random
 * sets of hundreds of numbers with mixed actions compile, every number near a rule gets the
 * rule's action (and every other number the default) from the optimized program and from the
 * linear reference, and no path is longer than a search tree's. The seed is printed;
 * SCK_TEST_SEED replays it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "sck_test.h"
#include "test_filter_helpers.h"

#define MAXNR 6000
#define DEFAULT_ACTION ERRNO(38)

/* What each number of one arch gets: 0 for the default action. */
struct plan {
	uint32_t action[MAXNR];
};

static const uint32_t actions[] = {SECCOMP_RET_ALLOW, ERRNO(1), ERRNO(2), SECCOMP_RET_TRAP};

/* @count numbers below @span, each with an action drawn from the first @nact; rules added. */
static void add_numbers(struct sck_filter *f, const struct sck_arch *arch, uint32_t base,
			struct plan *pl, uint64_t *rng, size_t count, uint32_t span, size_t nact)
{
	memset(pl, 0, sizeof(*pl));
	for (size_t i = 0; i < count; i++) {
		uint32_t nr = (uint32_t)(sck_test_rand(rng) % span);
		uint32_t act = actions[sck_test_rand(rng) % nact];
		struct sck_rule r = {.nr = (int)(base + nr), .arch = arch, .action = act};
		if (pl->action[nr])
			continue; /* (the first rule of a number wins: keep one) */
		pl->action[nr] = act;
		cr_assert_eq(sck_filter_add_rule(f, &r), 0, "nr %u", base + nr);
	}
}

/* Ranges of one action over [0, MAXNR): what the planner's sections are made of. */
static size_t count_ranges(const struct plan *pl)
{
	size_t n = 1;

	for (size_t nr = 1; nr < MAXNR; nr++)
		n += pl->action[nr] != pl->action[nr - 1];
	return n;
}

static struct sck_bpf_emu *compile_emu(struct sck_filter *f, unsigned int flags)
{
	SCK_OPTS(sck_filter_compile_opts, co, .flags = flags);
	struct sck_filter_prog *p = NULL;
	struct sck_bpf_emu *emu = NULL;
	const struct sock_filter *insns;
	size_t len;

	cr_assert_eq(sck_filter_compile(f, &co, &p), 0, "flags %u", flags);
	insns = sck_filter_prog_insns(p, &len);
	cr_assert_eq(sck_bpf_emu_new(insns, len, &emu), 0);
	sck_filter_prog_free(p);
	return emu;
}

/* Every number of @pl's arch (audit @audit, numbers from @base) gets its action; the longest path. */
static uint32_t check_numbers(const struct sck_bpf_emu *opt, const struct sck_bpf_emu *lin,
			      uint32_t audit, uint32_t base, const struct plan *pl)
{
	uint32_t longest = 0;

	for (uint32_t nr = 0; nr < MAXNR; nr++) {
		struct seccomp_data d = {.nr = (int)(base + nr), .arch = audit};
		uint32_t want = pl->action[nr] ? pl->action[nr] : DEFAULT_ACTION, ran = 0;
		cr_assert_eq(sck_bpf_emu_run(opt, &d, &ran), want, "nr %#x", base + nr);
		cr_assert_eq(sck_bpf_emu_run(lin, &d, NULL), want, "nr %#x (linear)", base + nr);
		if (ran > longest)
			longest = ran;
	}
	return longest;
}

Test(filter_tree, one_arch_many_ranges, .timeout = 120)
{
	uint64_t rng = sck_test_seed("filter_tree/one_arch_many_ranges");

	for (int round = 0; round < 6; round++) {
		SCK_OPTS(sck_filter_opts, o, .default_action = DEFAULT_ACTION,
			 .bad_arch_action = SECCOMP_RET_KILL_PROCESS);
		static struct plan pl;
		struct sck_filter *f;
		struct sck_bpf_emu *opt, *lin;
		/* 300 to 800 numbers over 1000 to 5000: about 400 to 1200 ranges */
		size_t count = 300 + (size_t)(sck_test_rand(&rng) % 500);
		uint32_t span = 1000 + (uint32_t)(sck_test_rand(&rng) % 4000);
		uint32_t longest;

		cr_assert_eq(sck_filter_new(&o, &f), 0);
		cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), 0);
		add_numbers(f, NULL, 0, &pl, &rng, count, span, 2 + (size_t)round % 3);
		cr_assert_gt(count_ranges(&pl), 256, "round %d: the fast planner's sizes", round);
		opt = compile_emu(f, 0);
		lin = compile_emu(f, SCK_COMPILE_LINEAR);
		longest = check_numbers(opt, lin, AUDIT_ARCH_X86_64, 0, &pl);
		/* arch load and compare, nr load, a tree over at most 2 * 800 + 1 ranges, a chain
		 * compare, the return: a search, where a scan would run hundreds */
		cr_expect_leq(longest, 4 + 2 * 11 + 3, "round %d: longest path %u", round, longest);
		sck_bpf_emu_free(opt);
		sck_bpf_emu_free(lin);
		sck_filter_free(f);
	}
}

Test(filter_tree, x86_64_and_x32_many_ranges, .timeout = 120)
{
	uint64_t rng = sck_test_seed("filter_tree/x86_64_and_x32_many_ranges");

	for (int round = 0; round < 3; round++) {
		SCK_OPTS(sck_filter_opts, o, .default_action = DEFAULT_ACTION,
			 .bad_arch_action = SECCOMP_RET_KILL_PROCESS);
		static struct plan p64, p32;
		struct sck_filter *f;
		struct sck_bpf_emu *opt, *lin;
		uint32_t longest;

		cr_assert_eq(sck_filter_new(&o, &f), 0);
		cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), 0);
		cr_assert_eq(sck_filter_add_arch(f, A("x32")), 0);
		add_numbers(f, A("x86_64"), 0, &p64, &rng, 450, 3000, 3);
		add_numbers(f, A("x32"), X32_BIT, &p32, &rng, 450, 3000, 3);
		cr_assert_gt(count_ranges(&p64) + count_ranges(&p32), 1024,
			     "round %d: the fast planner's sizes", round);
		opt = compile_emu(f, 0);
		lin = compile_emu(f, SCK_COMPILE_LINEAR);
		longest = check_numbers(opt, lin, AUDIT_ARCH_X86_64, 0, &p64);
		cr_expect_leq(longest, 4 + 2 * 11 + 3, "round %d: x86_64 longest %u", round,
			      longest);
		longest = check_numbers(opt, lin, AUDIT_ARCH_X86_64, X32_BIT, &p32);
		cr_expect_leq(longest, 4 + 2 * 11 + 3, "round %d: x32 longest %u", round, longest);
		sck_bpf_emu_free(opt);
		sck_bpf_emu_free(lin);
		sck_filter_free(f);
	}
}

/*
 * Thousands of distinct numbers: the fast planner plans them at once, and a program that cannot
 * hold them is refused with -E2BIG (the exact planner took 0.6 s here to learn it).
 */
Test(filter_tree, thousands_of_numbers, .timeout = 60)
{
	for (int two = 0; two < 2; two++) {
		SCK_OPTS(sck_filter_opts, o, .default_action = DEFAULT_ACTION);
		struct sck_filter *f;
		struct sck_filter_prog *p = NULL;

		cr_assert_eq(sck_filter_new(&o, &f), 0);
		cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), 0);
		if (two)
			cr_assert_eq(sck_filter_add_arch(f, A("x32")), 0);
		for (int i = 0; i < 4000; i++) {
			struct sck_rule r = {.nr = 3 * i,
					     .action = i % 3 ? SECCOMP_RET_ALLOW : ERRNO(1)};
			cr_assert_eq(sck_filter_add_rule(f, &r), 0);
		}
		cr_expect_eq(sck_filter_compile(f, NULL, &p), -E2BIG, "two arches: %d", two);
		cr_expect_null(p);
		sck_filter_free(f);
	}
}
