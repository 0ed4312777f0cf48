// SPDX-License-Identifier: MIT
/*
 * The argument planner against the linear reference (SCK_COMPILE_LINEAR) on random rule sets
 * rich in argument conditions, as issue 12 asks: EQ sets of 1 to 200 values on one argument
 * (small, 32-bit, clustered, sharing a high word, 64-bit), LT/LE/GT/GE bounds and ranges,
 * masked equalities sharing one mask or on single bits, rules over several arguments, mixed
 * actions; on x86_64, x86 and x32 together or apart, in native mode and SCK_FILTER_OCI. Half the
 * sets keep one family per syscall (rules whose actions differ never overlap), half mix them
 * (then first-match or OCI resolution decides, which the reference implements too). Both
 * programs run in the emulator at every argument probe (cli/probes.h: each operand, +-1, its
 * high word flipped, masked variants, each rule met and each condition missed) and again with
 * the other arguments drawn from the operands. The seed is printed; SCK_TEST_SEED replays it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "sck.h"
#include "sck_test.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))
#define MAXR 700

struct rset {
	struct sck_rule rules[MAXR];
	struct sck_cond conds[MAXR][3];
	size_t n;
	uint64_t ops[2048]; /* every operand, for the mixed-argument probes */
	size_t nops;
};

static uint64_t rnd(uint64_t *rng)
{
	return sck_test_rand(rng);
}

static void add(struct rset *s, const char *name, uint32_t action, const struct sck_cond *c,
		size_t nc)
{
	if (s->n == MAXR)
		return;
	memcpy(s->conds[s->n], c, nc * sizeof(*c));
	s->rules[s->n] = (struct sck_rule){
		.name = name, .action = action, .conds = s->conds[s->n], .nconds = nc};
	s->n++;
	for (size_t k = 0; k < nc && s->nops < sizeof(s->ops) / sizeof(s->ops[0]); k++)
		s->ops[s->nops++] = c[k].value;
}

static uint32_t pick_action(uint64_t *rng, const uint32_t *acts, size_t nacts)
{
	return acts[rnd(rng) % nacts];
}

/* A value of the style @style: small, 32-bit, clustered, shared high word, 64-bit. */
static uint64_t value_of(uint64_t *rng, int style, uint64_t base, size_t i)
{
	switch (style) {
	case 0:
		return rnd(rng) % 300;
	case 1:
		return (uint32_t)rnd(rng);
	case 2:
		return base + i * (1 + base % 3);
	case 3:
		return (base & 0xffffffff00000000ULL) | (uint32_t)rnd(rng);
	default:
		return rnd(rng);
	}
}

static bool seen(const uint64_t *v, size_t n, uint64_t x, bool low32)
{
	for (size_t i = 0; i < n; i++)
		if (low32 ? (uint32_t)v[i] == (uint32_t)x : v[i] == x)
			return true;
	return false;
}

/* EQ set of 1..200 distinct values on one argument, actions from @acts (disjoint values). */
static void fam_eq(struct rset *s, uint64_t *rng, const char *name, unsigned int arg,
		   const uint32_t *acts, size_t nacts)
{
	size_t k = 1 + rnd(rng) % (rnd(rng) % 4 ? 40 : 200);
	int style = (int)(rnd(rng) % 5);
	uint64_t base = rnd(rng), vals[200];
	bool low32 = rnd(rng) % 6 == 0;
	size_t n = 0;

	if (style == 2)
		base = rnd(rng) % 3 ? (uint32_t)base & 0xffff0000U : base;
	for (size_t i = 0; i < k * 3 && n < k; i++) {
		uint64_t v = value_of(rng, style, base, i);
		if (seen(vals, n, v, low32))
			continue;
		vals[n++] = v;
		struct sck_cond c = {.arg = arg,
				     .op = SCK_CMP_EQ,
				     .value = v,
				     .flags = low32 ? SCK_COND_LOW32 : 0};
		add(s, name, pick_action(rng, acts, nacts), &c, 1);
	}
}

/* Bounds: one bound, a split (below -> X, at or above -> Y), or a range [lo, hi] in one rule. */
static void fam_bounds(struct rset *s, uint64_t *rng, const char *name, unsigned int arg,
		       const uint32_t *acts, size_t nacts)
{
	uint64_t v = rnd(rng) % 2 ? rnd(rng) % 0x10000 : rnd(rng);
	uint64_t w = v + 1 + rnd(rng) % 1000;
	int shape = (int)(rnd(rng) % 3);
	struct sck_cond c[2] = {{.arg = arg, .value = v}, {.arg = arg, .value = w}};

	if (w < v)
		w = UINT64_MAX, c[1].value = w;
	if (shape == 0) {
		c[0].op = (enum sck_cmp_op)(SCK_CMP_LT + rnd(rng) % 4);
		add(s, name, pick_action(rng, acts, nacts), c, 1);
	} else if (shape == 1) {
		bool strict = rnd(rng) % 2;
		c[0].op = strict ? SCK_CMP_LT : SCK_CMP_LE;
		add(s, name, pick_action(rng, acts, nacts), c, 1);
		c[0].op = strict ? SCK_CMP_GE : SCK_CMP_GT;
		add(s, name, pick_action(rng, acts, nacts), c, 1);
	} else {
		c[0].op = rnd(rng) % 2 ? SCK_CMP_GE : SCK_CMP_GT;
		c[1].op = rnd(rng) % 2 ? SCK_CMP_LE : SCK_CMP_LT;
		add(s, name, pick_action(rng, acts, nacts), c, 2);
	}
}

/* Masked equalities: one shared mask with distinct expected values, or single-bit masks. */
static void fam_masks(struct rset *s, uint64_t *rng, const char *name, unsigned int arg,
		      const uint32_t *acts, size_t nacts)
{
	size_t k = 1 + rnd(rng) % 12;

	if (rnd(rng) % 2) {
		uint64_t m = rnd(rng) % 2 ? rnd(rng) & 0xff0f : rnd(rng);
		uint64_t done[12];
		size_t n = 0;
		for (size_t i = 0; i < k * 3 && n < k; i++) {
			uint64_t e = rnd(rng) & m;
			if (seen(done, n, e, false))
				continue;
			done[n++] = e;
			struct sck_cond c = {
				.arg = arg, .op = SCK_CMP_MASKED_EQ, .mask = m, .value = e};
			add(s, name, pick_action(rng, acts, nacts), &c, 1);
		}
	} else {
		uint32_t act = pick_action(rng, acts, nacts); /* one verdict: a JSET fold */
		for (size_t i = 0; i < k; i++) {
			uint64_t bit = 1ULL << (rnd(rng) % (rnd(rng) % 3 ? 32 : 64));
			struct sck_cond c = {.arg = arg,
					     .op = SCK_CMP_MASKED_EQ,
					     .mask = bit,
					     .value = rnd(rng) % 4 ? bit : 0};
			add(s, name, act, &c, 1);
		}
	}
}

/* Rules over 2-3 arguments: a distinct EQ on the first, then EQ / mask / bound on others. */
static void fam_multi(struct rset *s, uint64_t *rng, const char *name, unsigned int arg,
		      const uint32_t *acts, size_t nacts)
{
	size_t k = 1 + rnd(rng) % 16;
	uint64_t firsts[16];
	unsigned int other = (arg + 1 + (unsigned int)(rnd(rng) % 5)) % 6;
	unsigned int third = (other + 1) % 6 == arg ? (other + 2) % 6 : (other + 1) % 6;
	uint64_t shared = rnd(rng) % 2 ? rnd(rng) % 64 : rnd(rng);

	for (size_t i = 0; i < k; i++) {
		struct sck_cond c[3];
		size_t nc = 2 + rnd(rng) % 2;
		uint64_t v = rnd(rng) % 2 ? rnd(rng) % 32 : rnd(rng);
		if (seen(firsts, i, v, false))
			v = rnd(rng);
		firsts[i] = v;
		c[0] = (struct sck_cond){.arg = arg, .op = SCK_CMP_EQ, .value = v};
		/* common second conditions: prefixes to share */
		c[1] = (struct sck_cond){.arg = other,
					 .op = (enum sck_cmp_op)(1 + rnd(rng) % 7),
					 .value = rnd(rng) % 3 ? shared : rnd(rng),
					 .mask = rnd(rng) % 2 ? 0xff : 1ULL << (rnd(rng) % 40)};
		if (c[1].op == SCK_CMP_MASKED_EQ)
			c[1].value &= c[1].mask;
		c[2] = (struct sck_cond){.arg = third, .op = SCK_CMP_EQ, .value = rnd(rng) % 8};
		add(s, name, pick_action(rng, acts, nacts), c, nc);
	}
}

static const char *const sys_pool[] = {"ioctl",	      "fcntl", "prctl",	     "mmap",
				       "personality", "clone", "setsockopt", "lseek"};
static const char *const arch_pool[] = {"x86_64", "i386", "x32"};

struct spec {
	uint32_t def;
	unsigned int flags;
	const struct sck_arch *arches[3];
	size_t narch;
	bool mixed;
};

static void random_set(uint64_t *rng, struct spec *sp, struct rset *s)
{
	static const uint32_t pool[] = {
		SECCOMP_RET_ALLOW,    ERRNO(1), ERRNO(2), ERRNO(3), SECCOMP_RET_LOG, ERRNO(77),
		SECCOMP_RET_TRAP | 5, ERRNO(9)};
	void (*fams[])(struct rset *, uint64_t *, const char *, unsigned int, const uint32_t *,
		       size_t) = {fam_eq, fam_bounds, fam_masks, fam_multi};
	size_t nsys = 1 + rnd(rng) % 3;
	bool used[3] = {false, false, false};

	memset(sp, 0, sizeof(*sp));
	s->n = s->nops = 0;
	sp->def = pool[rnd(rng) % 8];
	sp->flags = rnd(rng) % 2 ? SCK_FILTER_OCI : 0;
	sp->mixed = rnd(rng) % 2;
	while (sp->narch == 0 || (sp->narch < 3 && rnd(rng) % 2)) {
		size_t a = rnd(rng) % 3;
		if (used[a])
			continue;
		used[a] = true;
		sp->arches[sp->narch++] = sck_arch_from_name(arch_pool[a]);
	}
	for (size_t i = 0; i < nsys; i++) {
		const char *name = sys_pool[rnd(rng) % (sizeof(sys_pool) / sizeof(sys_pool[0]))];
		uint32_t acts[3];
		size_t nacts = 1 + rnd(rng) % 3, nf = sp->mixed ? 1 + rnd(rng) % 3 : 1;
		for (size_t a = 0; a < nacts; a++)
			acts[a] = pool[rnd(rng) % 8];
		for (size_t f = 0; f < nf; f++)
			fams[rnd(rng) % 4](s, rng, name, (unsigned int)(rnd(rng) % 6), acts, nacts);
	}
}

struct progs {
	struct sck_filter_prog *p;
	struct sck_bpf_emu *emu;
};

static int compile(const struct sck_filter *f, unsigned int flags, struct progs *c)
{
	SCK_OPTS(sck_filter_compile_opts, o, .flags = flags);
	const struct sock_filter *in;
	size_t len;
	int rc = sck_filter_compile(f, &o, &c->p);

	if (rc)
		return rc;
	in = sck_filter_prog_insns(c->p, &len);
	return sck_bpf_emu_new(in, len, &c->emu);
}

static void describe(const struct spec *sp, const struct rset *s)
{
	fprintf(stderr, "set: def %#x flags %u mixed %d arches", sp->def, sp->flags, sp->mixed);
	for (size_t i = 0; i < sp->narch; i++)
		fprintf(stderr, " %s", sp->arches[i]->name);
	fprintf(stderr, ", %zu rules\n", s->n);
	for (size_t i = 0; i < s->n && i < 60; i++) {
		fprintf(stderr, "  %s %#x:", s->rules[i].name, s->rules[i].action);
		for (size_t k = 0; k < s->rules[i].nconds; k++)
			fprintf(stderr, " a%u op%d f%u v%#llx m%#llx;", s->conds[i][k].arg,
				s->conds[i][k].op, s->conds[i][k].flags,
				(unsigned long long)s->conds[i][k].value,
				(unsigned long long)s->conds[i][k].mask);
		fprintf(stderr, "\n");
	}
}

static bool same(const struct progs *o, const struct progs *l, const struct seccomp_data *d,
		 const struct spec *sp, const struct rset *s, int iter)
{
	uint32_t x = sck_bpf_emu_run(o->emu, d, NULL), y = sck_bpf_emu_run(l->emu, d, NULL);

	if (x == y)
		return true;
	describe(sp, s);
	fprintf(stderr,
		"set %d: arch %#x nr %#x args %#llx %#llx %#llx %#llx %#llx %#llx: optimized %#x "
		"linear %#x\n",
		iter, d->arch, (uint32_t)d->nr, (unsigned long long)d->args[0],
		(unsigned long long)d->args[1], (unsigned long long)d->args[2],
		(unsigned long long)d->args[3], (unsigned long long)d->args[4],
		(unsigned long long)d->args[5], x, y);
	return false;
}

Test(filter_args_random, optimized_equals_linear, .timeout = 600)
{
	uint64_t rng = sck_test_seed("filter_args_random/optimized_equals_linear");
	static struct rset s;
	size_t sets = 0, too_long = 0, probes = 0;

	for (int iter = 0; iter < 1200; iter++) {
		struct spec sp;
		SCK_OPTS(sck_filter_opts, o, .default_action = 0);
		struct sck_filter *f = NULL;
		struct progs opt = {0}, lin = {0};
		struct sck_profile_arg_rule *rules = NULL;
		size_t nrules = 0;
		int lrc, orc;

		random_set(&rng, &sp, &s);
		o.default_action = sp.def;
		o.bad_arch_action = SECCOMP_RET_KILL_PROCESS;
		o.flags = sp.flags;
		cr_assert_eq(sck_filter_new(&o, &f), 0);
		for (size_t i = 0; i < sp.narch; i++)
			cr_assert_eq(sck_filter_add_arch(f, sp.arches[i]), 0);
		for (size_t i = 0; i < s.n; i++)
			cr_assert_eq(sck_filter_add_rule(f, &s.rules[i]), 0, "%s", s.rules[i].name);
		lrc = compile(f, SCK_COMPILE_LINEAR, &lin);
		orc = compile(f, 0, &opt);
		if (lrc == -E2BIG) {
			too_long++; /* no reference to compare with */
			sck_filter_prog_free(opt.p);
			sck_bpf_emu_free(opt.emu);
			sck_filter_free(f);
			continue;
		}
		cr_assert_eq(lrc, 0);
		if (orc != 0)
			describe(&sp, &s);
		cr_assert_eq(orc, 0,
			     "set %d: the optimizer refused (%d) what the linear reference fits",
			     iter, orc);
		cr_assert_eq(sck_profile_arg_rules_alloc(f, &rules, &nrules), 0);
		for (size_t a = 0; a < sp.narch; a++) {
			struct sck_probe_set ps;
			cr_assert_eq(sck_probes_build(rules, nrules, sp.arches[a], &ps), 0);
			for (size_t k = 0; k < ps.nsys; k++) {
				for (size_t q = 0; q < ps.sys[k].nprobes; q++) {
					struct seccomp_data d = ps.sys[k].probes[q];
					cr_assert(same(&opt, &lin, &d, &sp, &s, iter));
					/* the other arguments from the operands too */
					for (int i = 0; i < 6; i++) {
						if (d.args[i] || rnd(&rng) % 2)
							continue;
						d.args[i] = s.ops[rnd(&rng) % s.nops];
						if (sp.arches[a]->bits == 32)
							d.args[i] &= 0xffffffffU;
					}
					cr_assert(same(&opt, &lin, &d, &sp, &s, iter));
					probes += 2;
				}
				/* the syscall's neighbours and an arch's other numbers */
				struct seccomp_data n = {.nr = (int)ps.sys[k].nr + 1,
							 .arch = sp.arches[a]->audit_arch};
				cr_assert(same(&opt, &lin, &n, &sp, &s, iter));
			}
			sck_probes_fini(&ps);
		}
		free(rules);
		sck_filter_prog_free(opt.p);
		sck_bpf_emu_free(opt.emu);
		sck_filter_prog_free(lin.p);
		sck_bpf_emu_free(lin.emu);
		sck_filter_free(f);
		sets++;
	}
	cr_log_info("argument-rich rule sets: %zu compared at %zu probes, %zu beyond the linear "
		    "reference's 4096 instructions",
		    sets, probes, too_long);
	cr_assert_gt(sets, 1000);
}
