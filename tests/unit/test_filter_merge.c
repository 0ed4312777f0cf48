// SPDX-License-Identifier: MIT
/*
 * Programs whose sections repeat each other's code (the same argument decision on x86_64 and
 * x86), by emulation: one that fits as it is keeps its copies (no path pays a jump for merging);
 * one that fits only merged compiles, within the kernel's 4096 instructions, with the right
 * verdict at every value, its neighbours and its high word set, on every arch; a set no program
 * can hold is still refused.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))

struct arch_ref {
	const char *name;
	uint32_t audit;
};

static const struct arch_ref two[] = {{"x86_64", AUDIT_ARCH_X86_64}, {"x86", AUDIT_ARCH_I386}};

/* @n distinct random 32-bit values; value i gets action @acts[i % @nacts] on ioctl's arg 1. */
static struct sck_filter *valueset(const struct arch_ref *arches, size_t narch, size_t n,
				   uint64_t *rng, uint32_t *vals, const uint32_t *acts,
				   size_t nacts)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1));
	struct sck_filter *f = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	for (size_t a = 0; a < narch; a++)
		cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name(arches[a].name)), 0);
	for (size_t i = 0; i < n; i++) {
		struct sck_cond c = {.arg = 1, .op = SCK_CMP_EQ};
		struct sck_rule r = {
			.name = "ioctl", .action = acts[i % nacts], .conds = &c, .nconds = 1};
		bool dup;
		do {
			c.value = (uint32_t)sck_test_rand(rng);
			dup = false;
			for (size_t k = 0; k < i && !dup; k++)
				dup = vals[k] == c.value;
		} while (dup);
		vals[i] = (uint32_t)c.value;
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	return f;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The action value @v gets: the set's (sorted copy @sorted with actions @sacts), else ERRNO(1). */
static uint32_t expected(const uint32_t *sorted, const uint32_t *sacts, size_t n, uint64_t v)
{
	uint32_t key = (uint32_t)v;
	const uint32_t *hit;

	if (v >> 32)
		return ERRNO(1);
	hit = bsearch(&key, sorted, n, sizeof(*sorted), cmp_u32);
	return hit ? sacts[hit - sorted] : ERRNO(1);
}

/*
 * Compile, then emulate every value, its neighbours and its high word set on every arch:
 * verdicts against the set; returns the most instructions a probe ran (*@len: the length).
 */
static uint32_t check_set(const struct arch_ref *arches, size_t narch, size_t n, uint64_t seed,
			  const uint32_t *acts, size_t nacts, size_t *len)
{
	uint64_t rng = seed;
	uint32_t *vals = calloc(n, sizeof(*vals)), *sorted = calloc(n, sizeof(*sorted));
	uint32_t *sacts = calloc(n, sizeof(*sacts)), max = 0;
	struct sck_filter *f;
	struct sck_filter_prog *p = NULL;
	struct sck_bpf_emu *emu = NULL;
	const struct sock_filter *insns;

	cr_assert(vals && sorted && sacts);
	f = valueset(arches, narch, n, &rng, vals, acts, nacts);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0, "%zu values, seed %#llx", n,
		     (unsigned long long)seed);
	insns = sck_filter_prog_insns(p, len);
	cr_assert_leq(*len, SCK_BPF_MAXINSNS);
	cr_assert_eq(sck_bpf_check(insns, *len, NULL), 0);
	cr_assert_eq(sck_bpf_emu_new(insns, *len, &emu), 0);
	memcpy(sorted, vals, n * sizeof(*vals));
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	for (size_t i = 0; i < n; i++) {
		uint32_t key = vals[i];
		const uint32_t *at = bsearch(&key, sorted, n, sizeof(*sorted), cmp_u32);
		sacts[at - sorted] = acts[i % nacts];
	}
	for (size_t a = 0; a < narch; a++) {
		int nr = sck_syscall_nr(sck_arch_from_name(arches[a].name), "ioctl");
		for (size_t i = 0; i < n; i++) {
			const uint64_t probes[] = {vals[i], vals[i] | 0x100000000ULL,
						   (uint64_t)vals[i] + 1, (uint64_t)vals[i] - 1};
			for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
				/* (a 32-bit arch's kernel passes the low word only) */
				uint64_t v = sck_arch_from_name(arches[a].name)->bits == 32
						     ? (uint32_t)probes[k]
						     : probes[k];
				struct seccomp_data d = {.nr = nr, .arch = arches[a].audit};
				uint32_t x, got;
				d.args[1] = v;
				got = sck_bpf_emu_run(emu, &d, &x);
				cr_assert_eq(got, expected(sorted, sacts, n, v),
					     "%s: %#llx gives %#x (seed %#llx)", arches[a].name,
					     (unsigned long long)v, got, (unsigned long long)seed);
				max = x > max ? x : max;
			}
		}
	}
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
	sck_filter_free(f);
	free(vals);
	free(sorted);
	free(sacts);
	return max;
}

/* A program that fits as it is: x86_64's paths run what x86_64's alone would, no more. */
Test(filter_merge, fitting_program_keeps_its_copies, .timeout = 60)
{
	uint64_t seed = sck_test_seed("filter_merge/fitting_program_keeps_its_copies");
	const uint32_t allow = SECCOMP_RET_ALLOW;
	size_t len1, len2;
	uint32_t max1 = check_set(two, 1, 1000, seed, &allow, 1, &len1);
	uint32_t max2 = check_set(two, 2, 1000, seed, &allow, 1, &len2);

	/* two full copies of the value search, one per arch */
	cr_expect_gt(len2, 2 * len1 - 2 * 16, "one arch %zu, two %zu", len1, len2);
	cr_expect_eq(max2, max1);
}

/*
 * 1000 values on x86_64, arm and aarch64 do not fit as three copies: merged, no pressure is
 * needed, and x86_64's paths run what x86_64's alone would, give or take a jump.
 */
Test(filter_merge, three_arch_allowlist_merged_not_pressed, .timeout = 60)
{
	static const struct arch_ref three[] = {{"x86_64", AUDIT_ARCH_X86_64},
						{"arm", AUDIT_ARCH_ARM},
						{"aarch64", AUDIT_ARCH_AARCH64}};
	uint64_t seed = sck_test_seed("filter_merge/three_arch_allowlist_merged_not_pressed");
	const uint32_t allow = SECCOMP_RET_ALLOW;
	size_t len1, len3;
	uint32_t max1 = check_set(three, 1, 1000, seed, &allow, 1, &len1);
	uint32_t max3 = check_set(three, 3, 1000, seed, &allow, 1, &len3);

	/* (three copies under pressure took 2.5 times one) */
	cr_expect_lt(len3, 2 * len1, "one arch %zu, three %zu", len1, len3);
	cr_expect_leq(max3, max1 + 1);
}

/* 4000 values on x86_64 and x86: only merged does the program fit (libseccomp's fits). */
Test(filter_merge, two_arch_allowlist_fits_merged, .timeout = 120)
{
	uint64_t seed = sck_test_seed("filter_merge/two_arch_allowlist_fits_merged");
	const uint32_t allow = SECCOMP_RET_ALLOW;
	size_t len;

	/* the bound for 4000 values (ioctl-sparse-4000): a twentieth of a scan */
	cr_expect_leq(check_set(two, 2, 4000, seed, &allow, 1, &len), 200);
	cr_log_info("4000 values, x86_64 + x86: %zu instructions", len);
}

/* Several actions interleaved in the set: the merged copies keep every value's own verdict. */
Test(filter_merge, multi_action_sets_merged, .timeout = 300)
{
	uint64_t seed = sck_test_seed("filter_merge/multi_action_sets_merged");
	const uint32_t acts[] = {SECCOMP_RET_ALLOW, ERRNO(2), ERRNO(3), SECCOMP_RET_TRAP | 7};
	size_t len;

	for (size_t round = 0; round < 3; round++)
		check_set(two, 2, 2600 + 300 * round, seed + round, acts, 1 + round + (round > 1),
			  &len);
}

/* More distinct values than a program has instructions: refused, merged or not. */
Test(filter_merge, impossible_set_refused, .timeout = 60)
{
	uint64_t rng = sck_test_seed("filter_merge/impossible_set_refused");
	const uint32_t allow = SECCOMP_RET_ALLOW;
	uint32_t *vals = calloc(5000, sizeof(*vals));
	struct sck_filter *f = valueset(two, 2, 5000, &rng, vals, &allow, 1);
	struct sck_filter_prog *p = NULL;

	cr_expect_eq(sck_filter_compile(f, NULL, &p), -E2BIG);
	cr_expect_null(p);
	sck_filter_free(f);
	free(vals);
}

#define MIX_VALUES 2200
#define MIX_OTHER 40

/* A random mixed rule set: a large EQ set with several actions, bounds and masks elsewhere. */
static void mixed_rules(uint64_t *rng, struct sck_rule *r, struct sck_cond *c, size_t *n)
{
	static const char *const others[] = {"fcntl", "prctl", "kill", "mmap"};
	static const uint32_t acts[] = {SECCOMP_RET_ALLOW, ERRNO(2), ERRNO(3), SECCOMP_RET_LOG};
	size_t k = 0;

	for (size_t i = 0; i < MIX_VALUES; i++, k++) {
		c[k] = (struct sck_cond){
			.arg = 1, .op = SCK_CMP_EQ, .value = (uint32_t)sck_test_rand(rng)};
		r[k] = (struct sck_rule){
			.name = "ioctl", .action = acts[i % 3], .conds = &c[k], .nconds = 1};
	}
	for (size_t i = 0; i < MIX_OTHER; i++, k++) {
		uint64_t x = sck_test_rand(rng);
		static const enum sck_cmp_op ops[] = {SCK_CMP_LT, SCK_CMP_GE, SCK_CMP_NE,
						      SCK_CMP_MASKED_EQ, SCK_CMP_EQ};
		c[k] = (struct sck_cond){.arg = (unsigned int)(x % 3),
					 .op = ops[(x >> 8) % 5],
					 .value = (x >> 16) % 3 ? (uint32_t)sck_test_rand(rng)
								: sck_test_rand(rng)};
		if (c[k].op == SCK_CMP_MASKED_EQ) {
			c[k].mask = sck_test_rand(rng);
			c[k].value &= c[k].mask;
		}
		r[k] = (struct sck_rule){.name = others[(x >> 24) % 4],
					 .action = acts[(x >> 32) % 4],
					 .conds = &c[k],
					 .nconds = 1};
	}
	*n = k;
}

static struct sck_filter_prog *compile_rules(const char *const *arches, size_t narch,
					     const struct sck_rule *r, size_t n)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1));
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	for (size_t a = 0; a < narch; a++)
		cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name(arches[a])), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(sck_filter_add_rule(f, &r[i]), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	sck_filter_free(f);
	return p;
}

/*
 * The merged program of three arches against each arch's own program (which fits without
 * merging): the same verdict for every call of that arch, at every value of the set and its
 * neighbours, every operand of the other rules and random calls.
 */
Test(filter_merge, merged_equals_each_arch_alone, .timeout = 300)
{
	uint64_t rng = sck_test_seed("filter_merge/merged_equals_each_arch_alone");
	static const char *const arches[] = {"x86_64", "x86", "aarch64"};
	struct sck_rule *r = calloc(MIX_VALUES + MIX_OTHER, sizeof(*r));
	struct sck_cond *c = calloc(MIX_VALUES + MIX_OTHER, sizeof(*c));

	cr_assert(r && c);
	for (int round = 0; round < 2; round++) {
		size_t n, len;
		struct sck_filter_prog *all;
		struct sck_bpf_emu *emu = NULL;
		const struct sock_filter *insns;
		mixed_rules(&rng, r, c, &n);
		all = compile_rules(arches, 3, r, n);
		insns = sck_filter_prog_insns(all, &len);
		cr_assert_eq(sck_bpf_emu_new(insns, len, &emu), 0);
		for (size_t a = 0; a < 3; a++) {
			const struct sck_arch *ar = sck_arch_from_name(arches[a]);
			struct sck_filter_prog *one = compile_rules(&arches[a], 1, r, n);
			struct sck_bpf_emu *oemu = NULL;
			size_t olen, bad = 0;
			const struct sock_filter *oi = sck_filter_prog_insns(one, &olen);
			cr_assert_eq(sck_bpf_emu_new(oi, olen, &oemu), 0);
			for (size_t i = 0; i < n + 2000; i++) {
				struct seccomp_data d = {.arch = ar->audit_arch};
				uint64_t x = sck_test_rand(&rng), v;
				if (i < n) {
					int nr = sck_syscall_nr(ar, r[i].name);
					d.nr = nr < 0 ? 0 : nr;
					v = r[i].conds[0].value + (x % 3) - 1;
					v |= (x >> 8) % 4 == 0 ? 1ULL << 32 : 0;
					d.args[r[i].conds[0].arg] = v;
				} else {
					d.nr = (int)(x % 500);
					for (int q = 0; q < 3; q++)
						d.args[q] = sck_test_rand(&rng) >>
							    (x >> (8 + 6 * q)) % 64;
				}
				if (ar->bits == 32)
					for (int q = 0; q < 6; q++)
						d.args[q] = (uint32_t)d.args[q];
				if (sck_bpf_emu_run(emu, &d, NULL) !=
					    sck_bpf_emu_run(oemu, &d, NULL) &&
				    bad++ < 5)
					cr_log_error("%s: nr %d args %#llx %#llx %#llx differ",
						     arches[a], d.nr, (unsigned long long)d.args[0],
						     (unsigned long long)d.args[1],
						     (unsigned long long)d.args[2]);
			}
			cr_expect_eq(bad, 0, "%s: %zu calls differ (round %d)", arches[a], bad,
				     round);
			sck_bpf_emu_free(oemu);
			sck_filter_prog_free(one);
		}
		cr_log_info("round %d: %zu rules, three arches in %zu instructions", round, n, len);
		sck_bpf_emu_free(emu);
		sck_filter_prog_free(all);
	}
	free(r);
	free(c);
}
