// SPDX-License-Identifier: MIT
/*
 * The argument planner by emulation: large allowlists on one argument (a shared high-word test,
 * a search tree, the spine that fits thousands of values), sets too large for any program
 * refused, many distinct actions in one section, and the optimized plan against the linear
 * reference at every value that matters.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))

struct compiled {
	struct sck_filter_prog *p;
	struct sck_bpf_emu *emu;
	const struct sock_filter *insns;
	size_t len;
};

static int compile(const struct sck_filter *f, unsigned int flags, struct compiled *c)
{
	SCK_OPTS(sck_filter_compile_opts, o, .flags = flags);
	int rc = sck_filter_compile(f, &o, &c->p);

	if (rc)
		return rc;
	c->insns = sck_filter_prog_insns(c->p, &c->len);
	return sck_bpf_emu_new(c->insns, c->len, &c->emu);
}

static void release(struct compiled *c)
{
	sck_bpf_emu_free(c->emu);
	sck_filter_prog_free(c->p);
}

static uint32_t run(const struct compiled *c, uint32_t audit, int nr, unsigned int arg, uint64_t v,
		    uint32_t *executed)
{
	struct seccomp_data d = {.nr = nr, .arch = audit};

	d.args[arg] = v;
	return sck_bpf_emu_run(c->emu, &d, executed);
}

/* @n distinct random 32-bit request values (fixed by @seed), allowed on ioctl's arg 1. */
static struct sck_filter *allowlist(size_t n, uint64_t seed, uint64_t *vals)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1));
	struct sck_filter *f = NULL;
	uint64_t rng = seed;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name("x86_64")), 0);
	for (size_t i = 0; i < n; i++) {
		struct sck_cond c = {.arg = 1, .op = SCK_CMP_EQ};
		struct sck_rule r = {
			.name = "ioctl", .action = SECCOMP_RET_ALLOW, .conds = &c, .nconds = 1};
		bool dup;
		do {
			c.value = sck_test_rand(&rng) & 0xffffffffU;
			dup = false;
			for (size_t k = 0; k < i && !dup; k++)
				dup = vals[k] == c.value;
		} while (dup);
		vals[i] = c.value;
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	return f;
}

/* Every value, its neighbours and its high word set: the verdict and the longest path. */
static uint32_t check_allowlist(size_t n, uint64_t seed)
{
	uint64_t *vals = calloc(n, sizeof(*vals));
	struct sck_filter *f = allowlist(n, seed, vals);
	struct compiled c;
	uint32_t max = 0, x;
	int nr = sck_syscall_nr(sck_arch_from_name("x86_64"), "ioctl");

	cr_assert_eq(compile(f, 0, &c), 0, "%zu values", n);
	cr_assert_leq(c.len, SCK_BPF_MAXINSNS);
	for (size_t i = 0; i < n; i++) {
		const uint64_t probes[] = {vals[i], vals[i] | 0x100000000ULL, vals[i] + 1,
					   vals[i] - 1};
		for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
			bool in = false;
			for (size_t j = 0; j < n && !in; j++)
				in = vals[j] == probes[k];
			uint32_t got = run(&c, AUDIT_ARCH_X86_64, nr, 1, probes[k], &x);
			cr_assert_eq(got, in ? SECCOMP_RET_ALLOW : ERRNO(1),
				     "%zu values: %#llx gives %#x", n,
				     (unsigned long long)probes[k], got);
			if (x > max)
				max = x;
		}
	}
	release(&c);
	sck_filter_free(f);
	free(vals);
	return max;
}

Test(filter_args, allowlists_search_not_scan, .timeout = 60)
{
	uint64_t seed = sck_test_seed("filter_args/allowlists_search_not_scan");

	/* a linear scan of n values takes n compares; the search about log2(n) */
	cr_expect_leq(check_allowlist(100, seed), 24);
	cr_expect_leq(check_allowlist(1000, seed + 1), 28);
	/* 4000 values fill the kernel's 4096 instructions: a spine of chains, bounded still */
	cr_expect_leq(check_allowlist(4000, seed + 2), 200);
}

Test(filter_args, high_word_tested_once)
{
	uint64_t vals[64];
	struct sck_filter *f = allowlist(64, 7, vals);
	struct compiled c;
	size_t high = 0;

	cr_assert_eq(compile(f, 0, &c), 0);
	/* args[1] high word on x86_64 (little-endian): offset 16 + 8 + 4 */
	for (size_t i = 0; i < c.len; i++)
		high += c.insns[i].code == (BPF_LD | BPF_W | BPF_ABS) && c.insns[i].k == 28;
	cr_expect_eq(high, 1, "the high word is loaded %zu times", high);
	release(&c);
	sck_filter_free(f);
}

Test(filter_args, impossible_sets_refused)
{
	size_t n = 16000;
	uint64_t *vals = calloc(n, sizeof(*vals));
	struct sck_filter *f = allowlist(n, 3, vals);
	struct sck_filter_prog *p = NULL;

	cr_expect_eq(sck_filter_compile(f, NULL, &p), -E2BIG);
	cr_expect_null(p);
	sck_filter_free(f);
	free(vals);
}

Test(filter_args, many_distinct_actions)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ALLOW,
		 .bad_arch_action = SECCOMP_RET_KILL_PROCESS);
	struct sck_filter *f = NULL;
	struct compiled opt, lin;
	const int n = 300;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name("x86_64")), 0);
	for (int i = 0; i < n; i++) {
		struct sck_rule r = {.nr = i, .action = ERRNO((uint32_t)i + 1)};
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	cr_assert_eq(compile(f, 0, &opt), 0, "300 distinct actions must compile");
	cr_assert_eq(compile(f, SCK_COMPILE_LINEAR, &lin), 0);
	for (int nr = 0; nr < n + 20; nr++) {
		uint32_t a = run(&opt, AUDIT_ARCH_X86_64, nr, 0, 0, NULL);
		cr_assert_eq(a, run(&lin, AUDIT_ARCH_X86_64, nr, 0, 0, NULL), "nr %d", nr);
		cr_assert_eq(a, nr < n ? ERRNO((uint32_t)nr + 1) : SECCOMP_RET_ALLOW, "nr %d", nr);
	}
	release(&opt);
	release(&lin);
	sck_filter_free(f);
}

/* Rules on several arguments, bounds, masks and 64-bit operands: optimized == linear. */
Test(filter_args, mixed_conditions_match_linear, .timeout = 120)
{
	static const uint64_t vals[] = {0,
					1,
					2,
					5,
					6,
					0x7f,
					0x80,
					0xffff,
					0x10000,
					0x7fffffff,
					0x80000000,
					0xfffffffe,
					0xffffffff,
					0x100000000ULL,
					0x100000005ULL,
					0xffffffff00000000ULL,
					0xffffffffffffffffULL};
	const size_t nv = sizeof(vals) / sizeof(vals[0]);
	uint64_t rng = sck_test_seed("filter_args/mixed_conditions_match_linear");
	static const char *const arches[] = {"x86_64", "i386", "x32"};

	for (int round = 0; round < 60; round++) {
		const struct sck_arch *arch = sck_arch_from_name(arches[round % 3]);
		SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1),
			 .flags = round % 2 ? SCK_FILTER_OCI : 0);
		struct sck_filter *f = NULL;
		struct compiled opt, lin;
		int nr = sck_syscall_nr(arch, "fcntl");
		size_t nrules = 1 + sck_test_rand(&rng) % 40;

		cr_assert_eq(sck_filter_new(&o, &f), 0);
		cr_assert_eq(sck_filter_add_arch(f, arch), 0);
		for (size_t i = 0; i < nrules; i++) {
			struct sck_cond c[3];
			size_t nc = 1 + sck_test_rand(&rng) % 3;
			for (size_t k = 0; k < nc; k++) {
				c[k] = (struct sck_cond){
					.arg = (unsigned int)(sck_test_rand(&rng) % 3),
					.op = (enum sck_cmp_op)(1 + sck_test_rand(&rng) % 7),
					.value = vals[sck_test_rand(&rng) % nv],
					.mask = vals[sck_test_rand(&rng) % nv],
					.flags = sck_test_rand(&rng) % 4 == 0 ? SCK_COND_LOW32 : 0};
				if (c[k].op == SCK_CMP_MASKED_EQ && sck_test_rand(&rng) % 2)
					c[k].mask = 1ULL << (sck_test_rand(&rng) % 34);
				if (c[k].op == SCK_CMP_MASKED_EQ)
					c[k].value &= c[k].mask;
			}
			struct sck_rule r = {.name = "fcntl",
					     .action = sck_test_rand(&rng) % 3
							       ? SECCOMP_RET_ALLOW
							       : ERRNO(2 + (uint32_t)(i % 3)),
					     .conds = c,
					     .nconds = nc};
			cr_assert_eq(sck_filter_add_rule(f, &r), 0);
		}
		cr_assert_eq(compile(f, 0, &opt), 0);
		cr_assert_eq(compile(f, SCK_COMPILE_LINEAR, &lin), 0);
		for (size_t a = 0; a < nv; a++)
			for (size_t b = 0; b < nv; b++)
				for (size_t k = 0; k < nv; k += 1 + (a + b) % 3) {
					struct seccomp_data d = {.nr = nr,
								 .arch = arch->audit_arch};
					d.args[0] = vals[a];
					d.args[1] = vals[b];
					d.args[2] = vals[k];
					/* 32-bit arches pass zero-extended arguments */
					for (int q = 0; q < 3 && arch->bits == 32; q++)
						d.args[q] &= 0xffffffffU;
					cr_assert_eq(sck_bpf_emu_run(opt.emu, &d, NULL),
						     sck_bpf_emu_run(lin.emu, &d, NULL),
						     "round %d (%s): args %#llx %#llx %#llx", round,
						     arch->name, (unsigned long long)d.args[0],
						     (unsigned long long)d.args[1],
						     (unsigned long long)d.args[2]);
				}
		release(&opt);
		release(&lin);
		sck_filter_free(f);
	}
}

/*
 * One action over values of two arguments, with masks among them, in any order (a profile):
 * the decision on the second argument is made once, not once per value of the first (which it
 * follows in different places among the rules), and it equals the rule chain everywhere.
 */
Test(filter_args, one_action_any_order_one_copy)
{
	uint64_t rng = sck_test_seed("filter_args/one_action_any_order_one_copy");
	char *json = malloc(16384);
	size_t at = 0;
	struct sck_filter *f = NULL;
	struct sck_cond c[43];
	struct compiled opt, lin;
	int nr = sck_syscall_nr(sck_arch_from_name("x86_64"), "ioctl");

	cr_assert(json);
	for (size_t i = 0; i < 43; i++) {
		c[i] = (struct sck_cond){.arg = i < 23 ? 0 : 1,
					 .op = SCK_CMP_EQ,
					 .value = (uint32_t)sck_test_rand(&rng)};
		if (i >= 20 && i < 23) {
			c[i].op = SCK_CMP_MASKED_EQ;
			c[i].mask = (uint32_t)sck_test_rand(&rng);
			c[i].value &= c[i].mask;
		}
	}
	/* shuffled: the values of both arguments interleave */
	for (size_t i = 42; i > 0; i--) {
		size_t j = sck_test_rand(&rng) % (i + 1);
		struct sck_cond t = c[i];
		c[i] = c[j];
		c[j] = t;
	}
	at += (size_t)snprintf(json + at, 16384 - at,
			       "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
			       "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [");
	for (size_t i = 0; i < 43; i++)
		at += (size_t)snprintf(
			json + at, 16384 - at,
			"%s{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			"[{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}]}",
			i ? ", " : "", c[i].arg,
			(unsigned long long)(c[i].op == SCK_CMP_EQ ? c[i].value : c[i].mask),
			(unsigned long long)c[i].value,
			c[i].op == SCK_CMP_EQ ? "SCMP_CMP_EQ" : "SCMP_CMP_MASKED_EQ");
	at += (size_t)snprintf(json + at, 16384 - at, "]}");
	cr_assert_lt(at, 16384);
	cr_assert_eq(sck_profile_parse(json, at, NULL, &f, NULL, NULL), 0);
	cr_assert_eq(compile(f, 0, &opt), 0);
	cr_assert_eq(compile(f, SCK_COMPILE_LINEAR, &lin), 0);
	/* (one copy per value of the first argument took over 600) */
	cr_expect_leq(opt.len, 120, "%zu instructions", opt.len);
	for (size_t i = 0; i < 43; i++)
		for (int d = -1; d <= 1; d++)
			for (int hi = 0; hi < 2; hi++) {
				uint64_t v =
					c[i].value + (uint64_t)(int64_t)d + ((uint64_t)hi << 32);
				for (unsigned int arg = 0; arg < 2; arg++)
					cr_assert_eq(run(&opt, AUDIT_ARCH_X86_64, nr, arg, v, NULL),
						     run(&lin, AUDIT_ARCH_X86_64, nr, arg, v, NULL),
						     "arg %u = %#llx", arg, (unsigned long long)v);
			}
	release(&opt);
	release(&lin);
	sck_filter_free(f);
	free(json);
}
