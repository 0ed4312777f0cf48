// SPDX-License-Identifier: MIT
/*
 * The argument planner's fast path (src/filter/cmp_arg_fast.c) against the sweep it stands in
 * for (cmp_arg_range.c): random residuals of the shapes it takes (every rule one value of the
 * tested word, maybe with tests of other words; every rule one interval or its complement) are
 * planned by two planners, one with the fast path and one without, and the two decision DAGs
 * must be the same node for node (kinds, ranges, children, defaults, in the same order), which
 * is what makes the emitted programs byte-identical. Shapes the fast path declines are planned
 * too, so both planners go through the sweep. The seed is printed; SCK_TEST_SEED replays it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "filter/cmp_arg.h"
#include "sck_test.h"

#define MAXE 600
#define ACTIONS 4

struct rgen {
	struct sck_rent e[MAXE];
	struct sck_atom at[MAXE][3];
	struct sck_res r;
};

static const uint32_t actions[ACTIONS] = {0x7fff0000U, 0x00050001U, 0x7ffc0000U, 0x80000000U};

static uint32_t value(uint64_t *rng, uint32_t base)
{
	switch (sck_test_rand(rng) % 4) {
	case 0:
		return (uint32_t)(sck_test_rand(rng) % 16); /* duplicates, zero */
	case 1:
		return base + (uint32_t)(sck_test_rand(rng) % 64); /* a cluster */
	case 2:
		return 0xffffffffU - (uint32_t)(sck_test_rand(rng) % 3); /* the top of the word */
	default:
		return (uint32_t)sck_test_rand(rng);
	}
}

/* A residual testing word @w: shape 0 values (+ other words), 1 intervals, 2 mixed (declined). */
static void gen(uint64_t *rng, struct rgen *g, uint8_t w, int shape)
{
	size_t n = 1 + sck_test_rand(rng) % (sck_test_rand(rng) % 2 ? 12 : MAXE);
	uint32_t base = (uint32_t)sck_test_rand(rng);

	for (size_t i = 0; i < n; i++) {
		struct sck_atom *at = g->at[i];
		uint32_t k = 0, a = value(rng, base), b = a;
		bool other = shape != 1 && sck_test_rand(rng) % 3 == 0;
		if (shape >= 1 && sck_test_rand(rng) % 2) {
			b = value(rng, base);
			if (b < a) {
				uint32_t t = a;
				a = b;
				b = t;
			}
		}
		if (other && sck_test_rand(rng) % 2) /* before the tested word's atom */
			at[k++] = (struct sck_atom){.kind = SCK_ATOM_IV,
						    .word = (uint8_t)((w + 2) % 12),
						    .a = value(rng, base)};
		at[k++] = (struct sck_atom){.kind = SCK_ATOM_IV,
					    .word = w,
					    .neg = shape >= 1 && a != b &&
						   sck_test_rand(rng) % 4 == 0,
					    .a = a,
					    .b = b};
		if (other) {
			at[k] = (struct sck_atom){.kind = SCK_ATOM_IV,
						  .word = (uint8_t)((w + 4) % 12),
						  .a = value(rng, base)};
			at[k].b = at[k].a;
			k++;
		}
		if (at[0].word != w)
			at[0].b = at[0].a;
		g->e[i] = (struct sck_rent){
			.action = actions[sck_test_rand(rng) % ACTIONS], .n = k, .at = at};
	}
	g->r.e = g->e;
	g->r.n = n;
	g->r.final = actions[sck_test_rand(rng) % ACTIONS];
	sck_res_normalize(g->e, &g->r.n, &g->r.final);
}

static void same_plans(const struct sck_argplan *x, const struct sck_argplan *y)
{
	cr_assert_eq(x->nnodes, y->nnodes);
	for (size_t i = 0; i < x->nnodes; i++) {
		const struct sck_anode *a = &x->nodes[i], *b = &y->nodes[i];
		cr_assert_eq(a->kind, b->kind, "node %zu", i);
		cr_assert_eq(a->word, b->word, "node %zu", i);
		cr_assert_eq(a->mask, b->mask, "node %zu", i);
		cr_assert_eq(a->action, b->action, "node %zu", i);
		cr_assert_eq(a->t, b->t, "node %zu", i);
		cr_assert_eq(a->f, b->f, "node %zu", i);
		cr_assert_eq(a->nr, b->nr, "node %zu", i);
		cr_assert_eq(a->dflt, b->dflt, "node %zu", i);
		cr_assert_eq(a->nx, b->nx, "node %zu", i);
		cr_assert_eq(a->xcost, b->xcost, "node %zu", i);
		for (uint32_t k = 0; k < a->nr; k++) {
			cr_assert_eq(a->r[k].lo, b->r[k].lo, "node %zu range %u", i, k);
			cr_assert_eq(a->r[k].hi, b->r[k].hi, "node %zu range %u", i, k);
			cr_assert_eq(a->r[k].child, b->r[k].child, "node %zu range %u", i, k);
		}
	}
}

Test(arg_fast, same_plan_as_the_sweep)
{
	uint64_t rng = sck_test_seed("arg_fast/same_plan_as_the_sweep");
	static struct rgen g;
	struct sck_ir ir;
	size_t fast = 0;

	memset(&ir, 0, sizeof(ir));
	for (int round = 0; round < 400; round++) {
		struct sck_argplan *p[2];
		long root[2];
		uint8_t w = (uint8_t)(sck_test_rand(&rng) % 12);
		int shape = round % 3;
		struct sck_anode nd;

		gen(&rng, &g, w, shape);
		for (int k = 0; k < 2; k++) {
			cr_assert_eq(sck_argplan_new(&ir, &ir.groups[0], &p[k]), 0);
			p[k]->no_fast = k == 1;
			p[k]->budget = (size_t)-1 / 2;
			root[k] = sck_argplan_plan(p[k], &g.r);
		}
		cr_assert_eq(root[0], root[1], "round %d", round);
		same_plans(p[0], p[1]);
		if (g.r.n)
			fast += sck_arg_plan_fast(p[0], &g.r, w, &nd) == 1;
		sck_argplan_free(p[0]);
		sck_argplan_free(p[1]);
	}
	/* the fast path was taken, not only declined */
	cr_assert_gt(fast, 100);
}
