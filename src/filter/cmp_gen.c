// SPDX-License-Identifier: MIT
/*
 * The optimizing code generator. Layout: the arch dispatch (one JEQ per audit arch, the
 * bad-arch return), then one section per audit arch: `A = nr`, a search tree of JGE over the
 * ranges of numbers with one verdict, shaped by dynamic programming for the least weighted mean
 * depth (Knuth's O(n^2) algorithm for optimal alphabetic trees), then the argument-check blocks
 * the tree's leaves reach (each distinct verdict once), then the section's returns (each action
 * once). Nothing on the way from the arch check to a constant verdict loads anything but arch
 * and nr, which is what the kernel's action cache needs. Long jumps are the builder's business.
 */
#include "filter/cmp_arg.h"
#include "filter/filter_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct gen {
	struct sck_emit e;
	const struct sck_ir *ir;
	const struct sck_ir_group *g;
	unsigned int pressure;
	/* per section */
	struct sck_argplan *ap;
	int *block_labels; /* per verdict, -1: not referenced */
	size_t *pending;   /* blocks of rule chains to emit, in reference order */
	size_t npending;
	/* tree: per interval [i, j] its cost and root (n*n, reused between sections) */
	size_t n, cap;
	float *cost, *cost_t;
	uint16_t *root;
	double *w;	  /* prefix sums of the (reshaped) range weights */
	size_t *rowoff;	  /* per i: the packed index of interval [i, 0] */
	unsigned int *lc; /* per range: leaf_cost of its verdict */
	uint32_t *mm;	  /* mm[k]: pairs t < k of adjacent multi-number ranges t, t + 1 */
};

static void stmt(struct gen *g, uint16_t code, uint32_t k)
{
	sck_emit_stmt(&g->e, code, k);
}

static void jump(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	sck_emit_jump(&g->e, op, k, jt, jf);
}

static int label(struct gen *g)
{
	return sck_emit_label(&g->e);
}

static void bind(struct gen *g, int l)
{
	sck_emit_bind(&g->e, l);
}

static int ret_label(struct gen *g, uint32_t action)
{
	return sck_emit_ret(&g->e, action);
}

static int verdict_label(struct gen *g, size_t v)
{
	const struct sck_ir_verdict *vd = &g->ir->verdicts[v];
	long root;

	if (sck_ir_verdict_const(vd))
		return ret_label(g, vd->final);
	root = sck_argplan_verdict(g->ap, v);
	if (root >= 0)
		return sck_argplan_ref(g->ap, &g->e, root);
	if (g->block_labels[v] < 0) {
		g->block_labels[v] = label(g);
		g->pending[g->npending++] = v;
	}
	return g->block_labels[v];
}

/* ---- the search tree ---- */

/*
 * The tree over the group's ranges [0, n): an interval of ranges is either split by
 * `nr >= ranges[k].lo` (left [i, k-1], right [k, j]) or, when all its ranges but those of one
 * verdict V are single numbers, tested by a chain of at most CHAIN_MAX `nr == x` (then V): the
 * chain is what makes an isolated exception in a run of one verdict cost one compare instead of
 * two. Costs are weighted depths (a compare costs the weight of everything below it). Knuth's
 * bound on the split points keeps the dynamic programming near O(n^2).
 */
#define CHAIN_MAX 3
#define CHAIN_SPAN (2 * CHAIN_MAX + 1)
#define ROOT_CHAIN 0xffffu
#define INF 1e30
#define HEAVY 4 /* instructions */
#define HEAVY_MULT 8

static double leaf_w(const struct gen *g, size_t k)
{
	return g->w[k + 1] - g->w[k];
}

/* Cost of testing [i, j] by a chain; INF when it cannot. @order receives the exceptions. */
static double chain_cost(const struct gen *g, size_t i, size_t j, size_t *order, size_t *m_out,
			 size_t *v_out)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t v = SIZE_MAX, m = 0;
	double wv = 0, cost = 0;

	if (j - i + 1 > CHAIN_SPAN)
		return INF;
	for (size_t k = i; k <= j; k++) {
		if (r[k].lo == r[k].hi)
			continue;
		if (v == SIZE_MAX)
			v = r[k].verdict;
		else if (v != r[k].verdict)
			return INF;
	}
	if (v == SIZE_MAX) { /* all single numbers: V is the heaviest verdict */
		double best = -1;
		for (size_t k = i; k <= j; k++) {
			double s = 0;
			for (size_t q = i; q <= j; q++)
				if (r[q].verdict == r[k].verdict)
					s += leaf_w(g, q);
			if (s > best) {
				best = s;
				v = r[k].verdict;
			}
		}
	}
	for (size_t k = i; k <= j; k++) {
		if (r[k].verdict == v) {
			wv += leaf_w(g, k);
			continue;
		}
		if (m == CHAIN_MAX)
			return INF;
		/* insertion by weight, heaviest first */
		size_t p = m++;
		while (p > 0 && leaf_w(g, order[p - 1]) < leaf_w(g, k)) {
			order[p] = order[p - 1];
			p--;
		}
		order[p] = k;
	}
	if (m == 0)
		return INF;
	for (size_t k = 0; k < m; k++)
		cost += (double)(k + 1) * leaf_w(g, order[k]);
	cost += (double)m * wv;
	*m_out = m;
	*v_out = v;
	return cost;
}

/* The compares a chain with exceptions @order[0 .. m) runs for range @q. */
static unsigned int chain_depth(const size_t *order, size_t m, size_t q)
{
	for (size_t e = 0; e < m; e++)
		if (order[e] == q)
			return (unsigned int)e + 1;
	return (unsigned int)m;
}

/* Interval [i, j] in the packed upper triangle, row by row; and the same, column by column. */
static inline size_t rix(size_t n, size_t i, size_t j)
{
	return i * n - (i * (i + 1)) / 2 + j;
}
#define RIX(i, j) rix(n, (i), (j))
#define RIX_N(n_, i, j) rix((n_), (i), (j))

static inline size_t cix(size_t i, size_t j)
{
	return j * (j + 1) / 2 + i;
}

/*
 * Rows from the last up, each left to right: [i, j] needs [i, k-1] (this row, to its left) and
 * [k, j] (column j, rows below), all known by then; the row pointers stay put along a row.
 */
static void run_dp(struct gen *g)
{
	size_t n = g->n;
	float *cost = g->cost, *cost_t = g->cost_t;
	uint16_t *root = g->root;
	const size_t *ro = g->rowoff; /* ro[i] + j == RIX(i, j) */
	const double *w = g->w;
	const uint32_t *mm = g->mm;

	for (size_t i = n; i-- > 0;) {
		float *crow = &cost[ro[i]];
		uint16_t *rrow = &root[ro[i]], *below = i + 1 < n ? &root[ro[i + 1]] : NULL;
		double wi = w[i];
		size_t cb = cix(0, i + 1); /* cost_t of column j starts at cb (j = i + 1) */
		/* a chain needs a span of at most CHAIN_SPAN and no two adjacent multi-number
		 * ranges of different verdicts (mm is nondecreasing: one bound per row) */
		size_t chain_to = i + CHAIN_SPAN - 1;

		for (size_t j = i + 1; j <= chain_to && j < n; j++)
			if (mm[j] != mm[i]) {
				chain_to = j - 1;
				break;
			}
		crow[i] = 0;
		cost_t[cix(i, i)] = 0;
		rrow[i] = 0;
		for (size_t j = i + 1; j < n; cb += ++j) {
			size_t lo = i + 1, hi = j, bk;
			double best;
			const float *col = &cost_t[cb];
			float fb;

			if (j > i + 1) {
				size_t ra = rrow[j - 1], rb = below[j];
				if (ra != ROOT_CHAIN && rb != ROOT_CHAIN) {
					/* (chains and ties can cross Knuth's bounds) */
					lo = ra < rb ? ra : rb;
					hi = ra < rb ? rb : ra;
				}
			}
			fb = crow[lo - 1] + col[lo];
			bk = lo;
			for (size_t k = lo + 1; k <= hi; k++) {
				float fc = crow[k - 1] + col[k];
				bool lt = fc < fb;
				fb = lt ? fc : fb;
				bk = lt ? k : bk;
			}
			best = (double)fb + (w[j + 1] - wi);
			if (j <= chain_to) {
				size_t order[CHAIN_MAX] = {0}, m = 0, v = 0;
				double c = chain_cost(g, i, j, order, &m, &v);
				if (c < best * (1 - 1e-9)) {
					best = c;
					bk = ROOT_CHAIN;
				}
			}
			crow[j] = (float)best;
			cost_t[cb + i] = (float)best;
			rrow[j] = (uint16_t)bk;
		}
	}
}

/* Instructions a leaf's block runs with every argument 0 (an estimate from above), plus its RET. */
static unsigned int leaf_cost(const struct gen *g, size_t verdict)
{
	const struct sck_ir_verdict *vd = &g->ir->verdicts[verdict];
	unsigned int c = 1;

	for (size_t e = 0; e < vd->nentries; e++) {
		const struct sck_ir_entry *en = &vd->entries[e];
		bool all = true;
		for (size_t k = 0; k < en->ncond && all; k++) {
			const struct sck_ir_cond *cd = &en->conds[k];
			c += cd->wide ? 4 : 3;
			switch (cd->op) {
			case SCK_CMP_EQ:
			case SCK_CMP_LE:
			case SCK_CMP_GE:
				all = cd->op == SCK_CMP_GE ? cd->value == 0 : true;
				if (cd->op == SCK_CMP_EQ)
					all = cd->value == 0;
				break;
			case SCK_CMP_NE:
			case SCK_CMP_LT:
				all = cd->value != 0;
				break;
			case SCK_CMP_GT:
				all = false;
				break;
			case SCK_CMP_MASKED_EQ:
				all = cd->value == 0;
				break;
			}
		}
		if (all)
			return c;
	}
	return c;
}

/* The deepest (depth + leaf cost) over weighted leaves of [i, j] at @depth; marks offenders. */
static unsigned int worst(struct gen *g, size_t i, size_t j, unsigned int depth, unsigned int limit,
			  bool *bad)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t n = g->n, k;
	unsigned int a, b;

	if (i == j) {
		unsigned int lc = g->lc[i];
		a = depth + lc;
		/* only a leaf that can fit at all is worth pulling up */
		if (a > limit && r[i].weight > 0 && lc < limit)
			bad[i] = true;
		return r[i].weight > 0 ? a : 0;
	}
	k = g->root[RIX(i, j)];
	if (k == ROOT_CHAIN) {
		size_t order[CHAIN_MAX] = {0}, m = 0, v = 0;
		unsigned int mx = 0;
		chain_cost(g, i, j, order, &m, &v);
		for (size_t q = i; q <= j; q++) {
			unsigned int d = depth + chain_depth(order, m, q);
			unsigned int lc = g->lc[q];
			a = d + lc;
			if (r[q].weight > 0) {
				if (a > limit && lc < limit)
					bad[q] = true;
				if (a > mx)
					mx = a;
			}
		}
		return mx;
	}
	a = worst(g, i, k - 1, depth + 1, limit, bad);
	b = worst(g, k, j, depth + 1, limit, bad);
	return a > b ? a : b;
}

/*
 * x32 shares x86_64's tree (one audit arch), and the weights favour the filter's first arch: left
 * alone, the planner pushes the other member as deep as the smallest saving for the first one
 * pays (Docker's profile: x32 1.6 instructions above x86_64 on average). A weighted tree only
 * trades between a few shapes, so the bound is a search, run when the other member's mean is
 * more than SHARE_GAP above the first's. The nodes whose interval holds numbers of both members
 * form a path from the root, the spine; a move re-splits one spine node anywhere, over planned
 * subtrees. From each of the SHARE_BEAM best first moves, greedy descent: while the gap is too
 * wide, the move that closes it cheapest for the first member (else the one that buys the most of
 * the other's cost per unit of the first's, spending at most SHARE_BUDGET of it); within the gap,
 * the move that lowers the first member's cost most. The best end within the gap wins; none: the
 * plan stays. Costs are the members' mean instructions, from prefix sums and the plan's costs.
 */
#define SHARE_GAP 1.5
#define SHARE_BUDGET 0.3
#define SHARE_BEAM 2
#define SPINE_MAX 64
#define SHARE_MOVES 32

/* A node of the tree: [i, j] split at k. */
struct split {
	size_t i, j, k;
};

/* The planned subtree of an interval: each member's cost, and its height plus one (0: not yet). */
struct pcell {
	float c[2];
	uint8_t h;
};

struct share {
	const uint16_t *plan; /* the planned tree (g->root as the planner left it) */
	struct pcell *pc;     /* per interval, computed when first needed */
	double *pw[2];	      /* prefix sums of each member's weights */
	int p, o;	      /* the first member, the other */
	unsigned int limit;
	/* the spine nodes re-split (one per move at most, SHARE_MOVES a descent) */
	size_t nlog;
	struct split log[SHARE_MOVES];
};

/* Each member's cost and the height of the leaves [i, j] tested by a chain (or one leaf). */
static unsigned int flat_cost(const struct gen *g, size_t i, size_t j, double c[2])
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t order[CHAIN_MAX] = {0}, m = 0, v = 0;
	unsigned int h = 0;

	c[0] = c[1] = 0;
	if (i != j)
		chain_cost(g, i, j, order, &m, &v);
	for (size_t q = i; q <= j; q++) {
		unsigned int d = chain_depth(order, m, q) + g->lc[q];
		c[0] += r[q].wm[0] * d;
		c[1] += r[q].wm[1] * d;
		if (r[q].weight > 0 && d > h)
			h = d;
	}
	return h;
}

/* The planned subtree of [i, j]: its members' costs and height, computed once. */
static const struct pcell *plan_cost(const struct gen *g, struct share *sh, size_t i, size_t j)
{
	size_t n = g->n, k = i == j ? 0 : sh->plan[RIX_N(n, i, j)];
	struct pcell *x = &sh->pc[RIX_N(n, i, j)];
	unsigned int h;

	if (x->h)
		return x;
	if (i == j || k == ROOT_CHAIN) {
		double c[2];
		h = flat_cost(g, i, j, c);
		x->c[0] = (float)c[0];
		x->c[1] = (float)c[1];
	} else {
		const struct pcell *l = plan_cost(g, sh, i, k - 1), *r = plan_cost(g, sh, k, j);
		for (int m = 0; m < 2; m++)
			x->c[m] = l->c[m] + r->c[m] + (float)(sh->pw[m][j + 1] - sh->pw[m][i]);
		h = l->h > r->h ? l->h : r->h; /* (both stored plus one) */
	}
	/* stored plus one, so that 0 means "not computed yet" (a leaf's height can be 0) */
	x->h = (uint8_t)(h > 253 ? 254 : h + 1);
	return x;
}

static bool crossing(const struct share *sh, size_t i, size_t j)
{
	return sh->pw[0][j + 1] - sh->pw[0][i] > 0 && sh->pw[1][j + 1] - sh->pw[1][i] > 0;
}

struct move {
	double score; /* lower is better */
	size_t i, j, k;
};

/*
 * The @T best moves from the tree in g->root into @out, best first; returns how many. Only the
 * spine differs from the plan (a move re-splits a spine node over planned subtrees), so each
 * spine node's cost follows from the plan's, bottom up; the whole tree's goes to @c.
 */
static size_t best_moves(const struct gen *g, struct share *sh, const double c0[2], double c[2],
			 struct move *out, size_t T)
{
	size_t n = g->n, si[SPINE_MAX], sj[SPINE_MAX], ns = 0, nout = 0;
	const struct pcell *off[SPINE_MAX];
	size_t i = 0, j = n - 1;
	int p = sh->p, o = sh->o;
	double cur[SPINE_MAX][2], gap;

	/* down the spine: each node's planned side child, and the last node's cost */
	for (;;) {
		size_t k = i == j ? 0 : g->root[RIX_N(n, i, j)];
		si[ns] = i;
		sj[ns] = j;
		if (i == j || k == ROOT_CHAIN || ns + 1 == SPINE_MAX ||
		    (!crossing(sh, i, k - 1) && !crossing(sh, k, j))) {
			/* (a spine node the moves left alone is the plan's) */
			const struct pcell *l, *r;
			if (i == j || k == ROOT_CHAIN || k == sh->plan[RIX_N(n, i, j)]) {
				l = plan_cost(g, sh, i, j);
				cur[ns][0] = l->c[0];
				cur[ns][1] = l->c[1];
				break;
			}
			l = plan_cost(g, sh, i, k - 1);
			r = plan_cost(g, sh, k, j);
			for (int m = 0; m < 2; m++)
				cur[ns][m] = l->c[m] + r->c[m] + sh->pw[m][j + 1] - sh->pw[m][i];
			break;
		}
		if (crossing(sh, i, k - 1)) {
			off[ns++] = plan_cost(g, sh, k, j);
			j = k - 1;
		} else {
			off[ns++] = plan_cost(g, sh, i, k - 1);
			i = k;
		}
	}
	for (size_t t = ns; t-- > 0;)
		for (int m = 0; m < 2; m++)
			cur[t][m] = cur[t + 1][m] + off[t]->c[m] + sh->pw[m][sj[t] + 1] -
				    sh->pw[m][si[t]];
	c[0] = cur[0][0];
	c[1] = cur[0][1];
	gap = c[o] - c[p];
	for (size_t t = 0; t <= ns && T; t++) {
		size_t a = si[t], b = sj[t];
		double w[2] = {sh->pw[0][b + 1] - sh->pw[0][a], sh->pw[1][b + 1] - sh->pw[1][a]};

		if (a == b || !crossing(sh, a, b))
			break;
		for (size_t k = a + 1; k <= b; k++) {
			const struct pcell *l = plan_cost(g, sh, a, k - 1),
					   *r = plan_cost(g, sh, k, b);
			unsigned int hm = l->h > r->h ? l->h : r->h;
			double d[2], score;
			/* (h is stored plus one: the split's height is hm) */
			if ((unsigned int)t + hm > sh->limit)
				continue;
			for (int m = 0; m < 2; m++)
				d[m] = l->c[m] + r->c[m] + w[m] - cur[t][m];
			if (gap > SHARE_GAP) {
				if (d[o] > -1e-5 || c[p] + d[p] > c0[p] + SHARE_BUDGET)
					continue;
				score = gap + d[o] - d[p] <= SHARE_GAP ? d[p] - 1e6 : d[p] / -d[o];
			} else {
				if (d[p] > -1e-5 || gap + d[o] - d[p] > SHARE_GAP)
					continue;
				score = d[p];
			}
			/* insertion into the T best */
			size_t q = nout;
			if (nout == T) {
				if (score >= out[T - 1].score)
					continue;
				q = T - 1;
			} else {
				nout++;
			}
			while (q > 0 && out[q - 1].score > score) {
				out[q] = out[q - 1];
				q--;
			}
			out[q] = (struct move){score, a, b, k};
		}
	}
	return nout;
}

/*
 * Re-splits [i, j] at k over planned subtrees: the nodes re-split before inside [i, j] go back to
 * the plan, [i, j] to k.
 */
static void apply_move(struct gen *g, struct share *sh, size_t i, size_t j, size_t k)
{
	size_t n = g->n, w = 0;

	for (size_t e = 0; e < sh->nlog; e++) {
		if (sh->log[e].i >= i && sh->log[e].j <= j) {
			size_t x = RIX_N(n, sh->log[e].i, sh->log[e].j);
			g->root[x] = sh->plan[x];
		} else {
			sh->log[w++] = sh->log[e];
		}
	}
	sh->nlog = w;
	g->root[RIX_N(n, i, j)] = (uint16_t)k;
	sh->log[sh->nlog++] = (struct split){i, j, k};
}

/* Every node back to the plan. */
static void undo_moves(struct gen *g, struct share *sh)
{
	for (size_t e = 0; e < sh->nlog; e++) {
		size_t x = RIX_N(g->n, sh->log[e].i, sh->log[e].j);
		g->root[x] = sh->plan[x];
	}
	sh->nlog = 0;
}

static int share_tree(struct gen *g, unsigned int limit)
{
	const struct sck_ir_group *grp = g->g;
	size_t n = g->n, cells = n * (n + 1) / 2, nfirst, nbest = 0;
	struct share sh = {.p = grp->primary, .o = 1 - grp->primary, .limit = limit};
	struct move first[SHARE_BEAM], mv;
	struct split best[SHARE_MOVES];
	uint16_t *plan = NULL;
	double c0[2], bc = INF;
	int rc = 0;

	/* (more ranges than instructions a program may have: it will not fit anyway) */
	if (grp->nmembers != 2 || grp->primary < 0 || n < 4 || n > SCK_BPF_MAXINSNS)
		return 0;
	sh.pw[0] = calloc(2 * (n + 1), sizeof(double));
	sh.pc = calloc(cells, sizeof(*sh.pc));
	if (!sh.pw[0] || !sh.pc) {
		rc = -ENOMEM;
		goto out;
	}
	sh.pw[1] = sh.pw[0] + n + 1;
	for (size_t q = 0; q < n; q++)
		for (int m = 0; m < 2; m++)
			sh.pw[m][q + 1] = sh.pw[m][q] + grp->ranges[q].wm[m];
	sh.plan = g->root; /* (unchanged until the first move) */
	(void)best_moves(g, &sh, c0, c0, NULL, 0);
	if (c0[sh.o] - c0[sh.p] <= SHARE_GAP)
		goto out;
	plan = malloc(cells * sizeof(*plan));
	if (!plan) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(plan, g->root, cells * sizeof(*plan));
	sh.plan = plan;
	nfirst = best_moves(g, &sh, c0, c0, first, SHARE_BEAM);
	for (size_t f = 0; f < nfirst; f++) {
		double c[2];
		undo_moves(g, &sh);
		apply_move(g, &sh, first[f].i, first[f].j, first[f].k);
		while (sh.nlog < SHARE_MOVES && best_moves(g, &sh, c0, c, &mv, 1))
			apply_move(g, &sh, mv.i, mv.j, mv.k);
		(void)best_moves(g, &sh, c0, c, NULL, 0);
		if (c[sh.o] - c[sh.p] <= SHARE_GAP && c[sh.p] < bc) {
			bc = c[sh.p];
			nbest = sh.nlog;
			memcpy(best, sh.log, nbest * sizeof(*best));
		}
	}
	undo_moves(g, &sh);
	for (size_t e = 0; e < nbest; e++)
		g->root[RIX_N(n, best[e].i, best[e].j)] = (uint16_t)best[e].k;
out:
	free(sh.pw[0]);
	free(sh.pc);
	free(plan);
	return rc;
}

static int plan_tree(struct gen *g, unsigned int limit)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t n = g->g->nranges;
	bool *bad = NULL;
	double *mult = NULL;
	int rc = 0;

	/* Each compare of the tree parts at most 2 more ranges (a split 1, a chain's compare 2):
	 * more than 2 * 4096 + 1 ranges cannot fit in a program, and the planner would spend
	 * O(n^2) memory learning it */
	if (n >= ROOT_CHAIN || n > (size_t)2 * SCK_BPF_MAXINSNS + 1)
		return -E2BIG;
	g->n = n;
	if (n * (n + 1) / 2 > g->cap) {
		free(g->cost);
		free(g->cost_t);
		free(g->root);
		g->cap = n * (n + 1) / 2;
		g->cost = malloc(g->cap * sizeof(*g->cost));
		g->cost_t = malloc(g->cap * sizeof(*g->cost_t));
		g->root = malloc(g->cap * sizeof(*g->root));
	}
	free(g->w);
	free(g->rowoff);
	free(g->lc);
	free(g->mm);
	/* zeroed, although every entry is written below: the analyzer cannot follow the loops */
	g->mm = calloc(n, sizeof(*g->mm));
	g->w = calloc(n + 1, sizeof(*g->w));
	g->rowoff = calloc(n, sizeof(*g->rowoff));
	g->lc = calloc(n, sizeof(*g->lc));
	bad = calloc(n, sizeof(*bad));
	mult = malloc(n * sizeof(*mult));
	if (!g->cost || !g->cost_t || !g->root || !g->w || !g->rowoff || !g->lc || !g->mm || !bad ||
	    !mult) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		g->rowoff[i] = rix(n, i, 0);
		g->lc[i] = leaf_cost(g, r[i].verdict);
		g->mm[i] =
			i == 0 ? 0
			       : g->mm[i - 1] + (r[i - 1].lo != r[i - 1].hi && r[i].lo != r[i].hi);
	}
	/* leaves with a long block start heavier: the height limit usually wants them up,
	 * and a second round of the dynamic programming costs as much as the first */
	for (size_t k = 0; k < n; k++)
		mult[k] = g->lc[k] >= HEAVY ? HEAVY_MULT : 1;
	/* reshape while a weighted leaf ends deeper than the limit: make offenders heavier */
	for (int round = 0; round < 8; round++) {
		g->w[0] = 0;
		for (size_t k = 0; k < n; k++)
			g->w[k + 1] = g->w[k] + r[k].weight * mult[k];
		run_dp(g);
		memset(bad, 0, n * sizeof(*bad));
		bool any = false;
		if (n == 1 || worst(g, 0, n - 1, 0, limit, bad) <= limit)
			break;
		for (size_t k = 0; k < n; k++) {
			if (bad[k]) {
				mult[k] *= 16;
				any = true;
			}
		}
		if (!any)
			break;
	}
	rc = share_tree(g, limit);
out:
	free(bad);
	free(mult);
	return rc;
}

static void emit_tree(struct gen *g, size_t i, size_t j)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t n = g->n, k = g->root[RIX(i, j)];
	bool left_leaf, right_leaf;
	int jt, jf, lr = 0;

	if (k == ROOT_CHAIN) {
		size_t order[CHAIN_MAX] = {0}, m = 0, v = 0;
		chain_cost(g, i, j, order, &m, &v);
		for (size_t p = 0; p < m; p++)
			jump(g, BPF_JEQ, r[order[p]].lo, verdict_label(g, r[order[p]].verdict),
			     p + 1 == m ? verdict_label(g, v) : SCK_BPF_NEXT);
		return;
	}
	left_leaf = k - 1 == i;
	right_leaf = k == j;
	jt = right_leaf ? verdict_label(g, r[k].verdict) : (lr = label(g));
	jf = left_leaf ? verdict_label(g, r[i].verdict) : SCK_BPF_NEXT;
	jump(g, BPF_JGE, r[k].lo, jt, jf);
	if (!left_leaf)
		emit_tree(g, i, k - 1);
	if (!right_leaf) {
		bind(g, lr);
		emit_tree(g, k, j);
	}
}

/* ---- argument checks ---- */

struct acc {
	int word;      /* what A holds on the fall-through path: arg*2+high, or -1 */
	int fail;      /* the entry's failure label */
	int fail_word; /* what A holds at every jump to it so far (-2: none yet, -1: unknown) */
};

/* A conditional jump of an argument check: notes what A holds when it goes to a->fail. */
static void cjump(struct gen *g, struct acc *a, uint16_t op, uint32_t k, int jt, int jf)
{
	if (jt == a->fail || jf == a->fail)
		a->fail_word = a->fail_word == -2 || a->fail_word == a->word ? a->word : -1;
	jump(g, op, k, jt, jf);
}

static void load(struct gen *g, struct acc *a, unsigned int arg, bool high)
{
	int word = (int)(arg * 2 + high);
	if (a->word == word)
		return;
	stmt(g, BPF_LD | BPF_W | BPF_ABS, sck_ir_arg_off(arg, high, g->g->little_endian));
	a->word = word;
}

static bool one_bit(uint32_t m)
{
	return m && !(m & (m - 1));
}

/* (word & m) == v on one 32-bit word, m != 0 */
static void masked32(struct gen *g, struct acc *a, unsigned int arg, bool high, uint32_t m,
		     uint32_t v, int ok, int fail)
{
	load(g, a, arg, high);
	if (m == 0xffffffffU) {
		cjump(g, a, BPF_JEQ, v, ok, fail);
	} else if (one_bit(m) && (v == m || v == 0)) {
		cjump(g, a, BPF_JSET, m, v ? ok : fail, v ? fail : ok);
	} else {
		stmt(g, BPF_ALU | BPF_AND | BPF_K, m);
		a->word = -1;
		cjump(g, a, BPF_JEQ, v, ok, fail);
	}
}

static void emit_cond1(struct gen *g, struct acc *a, const struct sck_ir_cond *c, int ok, int fail);

/*
 * Emit @c: jump to @ok when it holds (SCK_BPF_NEXT: fall through past the whole comparison),
 * to @fail when not. A 64-bit comparison can decide on its high word, so "the next instruction"
 * is made a label bound after the comparison, where A's content is then unknown.
 */
static void emit_cond(struct gen *g, struct acc *a, const struct sck_ir_cond *c, int ok, int fail)
{
	if (ok == SCK_BPF_NEXT && c->wide && c->op != SCK_CMP_EQ) {
		int l = label(g);
		emit_cond1(g, a, c, l, fail);
		bind(g, l);
		a->word = -1;
		return;
	}
	emit_cond1(g, a, c, ok, fail);
}

static void emit_cond1(struct gen *g, struct acc *a, const struct sck_ir_cond *c, int ok, int fail)
{
	uint32_t vl = (uint32_t)c->value, vh = (uint32_t)(c->value >> 32);
	uint32_t ml = (uint32_t)c->mask, mh = (uint32_t)(c->mask >> 32);

	if (!c->wide) {
		if (c->op == SCK_CMP_MASKED_EQ) {
			masked32(g, a, c->arg, false, ml, vl, ok, fail);
			return;
		}
		load(g, a, c->arg, false);
		switch (c->op) {
		case SCK_CMP_EQ:
			cjump(g, a, BPF_JEQ, vl, ok, fail);
			break;
		case SCK_CMP_NE:
			cjump(g, a, BPF_JEQ, vl, fail, ok);
			break;
		case SCK_CMP_GT:
			cjump(g, a, BPF_JGT, vl, ok, fail);
			break;
		case SCK_CMP_GE:
			cjump(g, a, BPF_JGE, vl, ok, fail);
			break;
		case SCK_CMP_LT:
			cjump(g, a, BPF_JGE, vl, fail, ok);
			break;
		case SCK_CMP_LE:
			cjump(g, a, BPF_JGT, vl, fail, ok);
			break;
		}
		return;
	}
	switch (c->op) {
	case SCK_CMP_EQ:
		load(g, a, c->arg, true);
		cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, fail);
		load(g, a, c->arg, false);
		cjump(g, a, BPF_JEQ, vl, ok, fail);
		break;
	case SCK_CMP_NE:
		load(g, a, c->arg, true);
		cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, ok);
		load(g, a, c->arg, false);
		cjump(g, a, BPF_JEQ, vl, fail, ok);
		break;
	case SCK_CMP_GT:
	case SCK_CMP_GE:
		/* hi > vh: true; hi == vh: compare the low words; else false */
		load(g, a, c->arg, true);
		if (vh != 0xffffffffU)
			cjump(g, a, BPF_JGT, vh, ok, SCK_BPF_NEXT);
		if (vh != 0) /* after hi <= 0 fails, hi == 0 */
			cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, fail);
		load(g, a, c->arg, false);
		cjump(g, a, c->op == SCK_CMP_GT ? BPF_JGT : BPF_JGE, vl, ok, fail);
		break;
	case SCK_CMP_LT:
	case SCK_CMP_LE:
		load(g, a, c->arg, true);
		if (vh != 0xffffffffU)
			cjump(g, a, BPF_JGT, vh, fail, SCK_BPF_NEXT);
		if (vh != 0)
			cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, ok);
		load(g, a, c->arg, false);
		cjump(g, a, c->op == SCK_CMP_LT ? BPF_JGE : BPF_JGT, vl, fail, ok);
		break;
	case SCK_CMP_MASKED_EQ:
		if (mh)
			masked32(g, a, c->arg, true, mh, vh, ml ? SCK_BPF_NEXT : ok, fail);
		if (ml)
			masked32(g, a, c->arg, false, ml, vl, ok, fail);
		break;
	}
}

static void emit_block(struct gen *g, size_t v)
{
	const struct sck_ir_verdict *vd = &g->ir->verdicts[v];

	struct acc a = {.word = -1}; /* a block is entered from the tree: A holds nr */

	bind(g, g->block_labels[v]);
	for (size_t e = 0; e < vd->nentries; e++) {
		const struct sck_ir_entry *en = &vd->entries[e];
		bool last = e + 1 == vd->nentries;
		int fail = last ? ret_label(g, vd->final) : label(g);

		a.fail = fail;
		a.fail_word = -2;
		for (size_t c = 0; c < en->ncond; c++) {
			int ok = c + 1 == en->ncond ? ret_label(g, en->action) : SCK_BPF_NEXT;
			emit_cond(g, &a, &en->conds[c], ok, fail);
		}
		if (!last)
			bind(g, fail);
		/* the next entry starts where this one failed: reached only by those jumps
		 * (its last compare jumps either way), so A holds what they all left in it */
		a.word = a.fail_word >= 0 ? a.fail_word : -1;
	}
}

static int emit_section(struct gen *g)
{
	const struct sck_ir_group *grp = g->g;
	int rc;

	g->npending = 0;
	for (size_t v = 0; v < g->ir->nverdicts; v++)
		g->block_labels[v] = -1;
	if (!g->ap) {
		rc = sck_argplan_new(g->ir, grp, &g->ap);
		if (rc)
			return rc;
		/* every decision of the section planned first: what A holds entering each node */
		for (size_t i = 0; i < grp->nranges; i++) {
			size_t v = grp->ranges[i].verdict;
			if (sck_ir_verdict_const(&g->ir->verdicts[v]))
				continue;
			if (sck_argplan_verdict(g->ap, v) == -ENOMEM)
				return -ENOMEM;
		}
		sck_argplan_seal(g->ap);
	}
	sck_argplan_start(g->ap, g->pressure);
	stmt(g, BPF_LD | BPF_W | BPF_ABS, 0); /* A = nr */
	if (grp->nranges == 1) {
		const struct sck_ir_verdict *vd = &g->ir->verdicts[grp->ranges[0].verdict];
		if (sck_ir_verdict_const(vd))
			stmt(g, BPF_RET | BPF_K, vd->final);
		else
			jump(g, BPF_JA, 0, verdict_label(g, grp->ranges[0].verdict), 0);
	} else {
		emit_tree(g, 0, grp->nranges - 1);
	}
	sck_emit_dead_point(&g->e, 64);
	sck_argplan_emit(g->ap, &g->e);
	for (size_t i = 0; i < g->npending; i++) {
		emit_block(g, g->pending[i]);
		sck_emit_dead_point(&g->e, 64);
	}
	sck_emit_flush(&g->e);
	return 0;
}

int sck_gen_opt(const struct sck_ir *ir, struct sck_bpf_builder *b, unsigned int pressure,
		struct sck_argplan **plans, size_t *emitted)
{
	struct gen g = {.e = {.b = b, .limit = SCK_BPF_MAXINSNS}, .ir = ir, .pressure = pressure};
	int sec[SCK_FILTER_MAX_ARCH] = {0};
	int rc = 0;

	g.block_labels = malloc((ir->nverdicts + 1) * sizeof(*g.block_labels));
	g.pending = malloc((ir->nverdicts + 1) * sizeof(*g.pending));
	if (!g.block_labels || !g.pending) {
		rc = -ENOMEM;
		goto out;
	}
	stmt(&g, BPF_LD | BPF_W | BPF_ABS, 4); /* A = arch */
	for (size_t i = 0; i < ir->ngroups; i++) {
		sec[i] = label(&g);
		jump(&g, BPF_JEQ, ir->groups[i].audit, sec[i], SCK_BPF_NEXT);
	}
	stmt(&g, BPF_RET | BPF_K, ir->bad_arch_action);
	for (size_t i = 0; i < ir->ngroups && !g.e.err; i++) {
		g.g = &ir->groups[i];
		bind(&g, sec[i]);
		/* 16 instructions at most: the arch checks before this section, A = nr, the tree */
		rc = plan_tree(&g, i + 3 < 16 ? 16 - (unsigned int)i - 3 : 1);
		if (rc)
			goto out;
		g.ap = plans[i];
		rc = emit_section(&g);
		plans[i] = g.ap;
		if (rc)
			goto out;
	}
	rc = g.e.err;
	*emitted = g.e.pos - g.e.nlaid;
	if (!rc && sck_emit_over(&g.e))
		rc = -E2BIG;
out:
	sck_emit_fini(&g.e);
	free(g.root);
	free(g.cost);
	free(g.cost_t);
	free(g.w);
	free(g.rowoff);
	free(g.lc);
	free(g.mm);
	free(g.block_labels);
	free(g.pending);
	return rc;
}
